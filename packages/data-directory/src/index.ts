/** Public entry of @kqlgate/data-directory: a data directory created, or an error saying why not. */
export {
  createDirectorySync,
  DirectoryCreationError,
  explainDirectoryFailure,
  type FileSystemFailure,
} from './directory-creation.js';
