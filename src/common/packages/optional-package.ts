/**
 * kqlgate's local stack — @kqlgate/kusto-emulator, @kqlgate/servicebus-emulator and @kqlgate/demo-shop — is made of
 * optional dependencies: `npm install kqlgate` on a laptop gets all of it, a production install
 * (`npm ci --omit=dev --omit=optional`) none of it, and with it neither DuckDB nor SQLite. The app loads them only by
 * dynamic import, when the configuration or the command asks for them; these helpers tell whether one is installed
 * and turn "cannot find package" into what to install.
 */
import { KqlgateError } from '../errors/kqlgate-error.js';

/** A package of the local stack that the configuration or the command needs and that is not installed. */
export class MissingPackageError extends KqlgateError {
  constructor(
    readonly packageName: string,
    message: string,
  ) {
    super('PACKAGE_NOT_INSTALLED', message, { package: packageName });
  }
}

/** True when `packageName` can be imported from the app (resolves; its code is not loaded). */
export function isPackageInstalled(packageName: string): boolean {
  try {
    import.meta.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `load` (a dynamic import of `packageName` or one of its entry points); if the package is not installed, throws
 * a MissingPackageError saying that `command` needs it and how to install it. Any other failure is rethrown.
 */
export async function importOptionalPackage<T>(
  packageName: string,
  command: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes(`'${packageName}'`)) {
      throw new MissingPackageError(
        packageName,
        `${command} needs ${packageName}, which is not installed (a production install omits the local stack): ` +
          `npm install ${packageName}`,
      );
    }
    throw error;
  }
}
