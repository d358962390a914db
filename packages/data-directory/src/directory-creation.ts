/**
 * Creates the directory of a store (and its missing parents), and when it cannot, says why in words a user can act
 * on.
 *
 * Why not a bare `mkdir(dir, { recursive: true })`: when a missing parent cannot be created, Node's recursive mkdir
 * stats the path after the parent's failure and reports that stat's error instead. A DATA_DIR two levels below a
 * read-only mount (EROFS) or below a directory the process may not write read "ENOENT: no such file or directory,
 * mkdir", which sends the user looking for a missing directory. On failure, the first missing component is created
 * on its own, which yields the real error, and the message names the directory that could not be created.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * A data directory could not be created. `code` and `details` have the shape of the callers' own coded errors, so a
 * translator that switches on `code` handles it like theirs.
 */
export class DirectoryCreationError extends Error {
  readonly code = 'DIRECTORY_NOT_CREATABLE';
  readonly details: Record<string, unknown>;

  constructor(
    message: string,
    readonly path: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.details = { path };
  }
}

/** The fields of a Node file-system error the explanation reads. */
export interface FileSystemFailure {
  /** The path the failing call was about (the first missing component for mkdir). */
  path: string;
  code?: string;
  message: string;
}

/**
 * Creates `dir` and its missing parents. `purpose` names it for the user, e.g. "the Service Bus broker's data
 * directory". Throws a DirectoryCreationError with the real cause.
 */
export function createDirectorySync(dir: string, purpose: string): void {
  const target = resolve(dir);
  try {
    mkdirSync(target, { recursive: true });
    return;
  } catch (error) {
    const failure = realFailure(target, asFsError(error));
    if (failure === undefined) {
      // The first missing component could be created after all (a concurrent creator): try the rest again.
      createDirectoryOnce(target, purpose);
      return;
    }
    throw new DirectoryCreationError(explainDirectoryFailure(target, purpose, failure), target, {
      cause: error,
    });
  }
}

function createDirectoryOnce(target: string, purpose: string): void {
  try {
    mkdirSync(target, { recursive: true });
  } catch (error) {
    const failure = asFsError(error);
    throw new DirectoryCreationError(
      explainDirectoryFailure(target, purpose, { ...failure, path: failure.path ?? target }),
      target,
      { cause: error },
    );
  }
}

/** The message of a DirectoryCreationError: what could not be created, the real cause, and what to do. */
export function explainDirectoryFailure(target: string, purpose: string, failure: FileSystemFailure): string {
  const parent = dirname(failure.path);
  let cause: string;
  switch (failure.code ?? '') {
    case 'EROFS':
      cause = `'${parent}' is on a read-only file system (EROFS); use a directory on a writable file system`;
      break;
    case 'EACCES':
    case 'EPERM':
      cause =
        `this process${uidText()} may not create '${failure.path}' in '${parent}' (${failure.code}); ` +
        'use a directory it may write, or change the permissions';
      break;
    case 'ENOSPC':
      cause = `no space is left on the device of '${parent}' (ENOSPC)`;
      break;
    case 'EDQUOT':
      cause = `the disk quota of the device of '${parent}' is used up (EDQUOT)`;
      break;
    case 'ENOTDIR':
      cause = `'${failure.path}' is a file, not a directory (ENOTDIR)`;
      break;
    case 'EEXIST':
      cause = `'${failure.path}' exists and is not a directory (EEXIST)`;
      break;
    default:
      cause = failure.message;
  }
  return `Cannot create ${purpose} '${target}': ${cause}`;
}

/**
 * Finds the real cause of a failed recursive mkdir of `target`. Undefined when the first missing component could be
 * created now (the caller tries again).
 */
function realFailure(target: string, error: FsError): FileSystemFailure | undefined {
  if (error.code === 'ENOTDIR') {
    return { ...error, path: firstNonDirectory(target) ?? error.path ?? target };
  }
  if (error.code !== 'ENOENT') {
    return { ...error, path: error.path ?? target };
  }
  const missing = firstMissing(target);
  if (missing === undefined) {
    return { ...error, path: error.path ?? target };
  }
  try {
    mkdirSync(missing);
    return undefined;
  } catch (cause) {
    const real = asFsError(cause);
    // EEXIST: created concurrently; anything else is why the recursive mkdir failed.
    return real.code === 'EEXIST' ? undefined : { ...real, path: missing };
  }
}

/** The first component of `target`, from the root, that does not exist (its parent does). */
function firstMissing(target: string): string | undefined {
  let missing: string | undefined;
  for (let dir = target; ; dir = dirname(dir)) {
    if (exists(dir)) {
      return missing;
    }
    missing = dir;
    if (dirname(dir) === dir) {
      return undefined;
    }
  }
}

/** The ancestor of `target` (or `target` itself) that exists but is not a directory. */
function firstNonDirectory(target: string): string | undefined {
  const ancestors: string[] = [];
  for (let dir = target; dirname(dir) !== dir; dir = dirname(dir)) {
    ancestors.unshift(dir);
  }
  for (const dir of ancestors) {
    try {
      if (!statSync(dir).isDirectory()) {
        return dir;
      }
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    // Only "not there" counts as missing; a path that cannot be inspected is left to mkdir to report.
    return asFsError(error).code !== 'ENOENT';
  }
}

interface FsError {
  code?: string;
  path?: string;
  message: string;
}

function asFsError(error: unknown): FsError {
  if (error instanceof Error) {
    const { code, path } = error as NodeJS.ErrnoException;
    return { code, path, message: error.message };
  }
  return { message: String(error) };
}

function uidText(): string {
  return typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
}
