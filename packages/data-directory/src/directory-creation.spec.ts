import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDirectorySync,
  DirectoryCreationError,
  explainDirectoryFailure,
} from './directory-creation.js';

/** The error Node's mkdir raises, field for field (errno -30 is EROFS on Linux). */
function mkdirError(
  code: string,
  errno: number,
  text: string,
  path: string,
): NodeJS.ErrnoException & { path: string } {
  return Object.assign(new Error(`${code}: ${text}, mkdir '${path}'`), {
    errno,
    code,
    syscall: 'mkdir',
    path,
  });
}

describe('directory-creation', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kqlgate-dircreate-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  describe('createDirectorySync', () => {
    it('should create the directory and its missing parents, and accept one that exists', () => {
      const dir = join(root, 'a', 'b', 'c');
      createDirectorySync(dir, 'the test directory');
      expect(statSync(dir).isDirectory()).toBe(true);
      createDirectorySync(dir, 'the test directory');
      expect(statSync(dir).isDirectory()).toBe(true);
    });

    it('should name the file that stands where a parent directory should be (ENOTDIR)', () => {
      writeFileSync(join(root, 'data'), 'not a directory');
      const dir = join(root, 'data', 'demo', 'x');
      let thrown: unknown;
      try {
        createDirectorySync(dir, "the demo's data directory");
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DirectoryCreationError);
      expect((thrown as Error).message).toBe(
        `Cannot create the demo's data directory '${dir}': '${join(root, 'data')}' is a file, not a directory (ENOTDIR)`,
      );
      expect((thrown as DirectoryCreationError).code).toBe('DIRECTORY_NOT_CREATABLE');
    });

    it('should say that a file stands where the directory should be (EEXIST)', () => {
      const dir = join(root, 'servicebus');
      writeFileSync(dir, '');
      expect(() => createDirectorySync(dir, "the Service Bus broker's data directory")).toThrow(
        `Cannot create the Service Bus broker's data directory '${dir}': '${dir}' exists and is not a directory (EEXIST)`,
      );
      expect(existsSync(join(root, 'servicebus'))).toBe(true);
    });
  });

  describe('explainDirectoryFailure', () => {
    it('should name the read-only file system, not a missing directory (EROFS)', () => {
      const failure = mkdirError('EROFS', -30, 'read-only file system', '/mnt/ro/data');
      expect(
        explainDirectoryFailure('/mnt/ro/data/kusto', "the Kusto engine's data directory", failure),
      ).toBe(
        "Cannot create the Kusto engine's data directory '/mnt/ro/data/kusto': '/mnt/ro' is on a read-only " +
          'file system (EROFS); use a directory on a writable file system',
      );
    });

    it('should name the directory the process may not write, and the user it runs as (EACCES)', () => {
      const failure = mkdirError('EACCES', -13, 'permission denied', '/srv/data');
      const uid = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
      expect(explainDirectoryFailure('/srv/data/demo', "the demo's data directory", failure)).toBe(
        `Cannot create the demo's data directory '/srv/data/demo': this process${uid} may not create ` +
          "'/srv/data' in '/srv' (EACCES); use a directory it may write, or change the permissions",
      );
    });

    it("should keep Node's own text for a cause it has no better words for", () => {
      const failure = mkdirError('ENAMETOOLONG', -36, 'name too long', '/x/y');
      expect(explainDirectoryFailure('/x/y', 'the test directory', failure)).toBe(
        "Cannot create the test directory '/x/y': ENAMETOOLONG: name too long, mkdir '/x/y'",
      );
    });
  });
});
