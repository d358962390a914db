/**
 * Public entry of @kqlgate/data-directory: a data directory created, or an error saying why not; and the one
 * transaction helper of the SQLite stores kept in it.
 */
export {
  createDirectorySync,
  DirectoryCreationError,
  explainDirectoryFailure,
  type FileSystemFailure,
} from './directory-creation.js';
export { runSqliteTransaction, type SqliteTransactionTarget } from './sqlite-transaction.js';
