/** The credential checkers built from the configuration (auth-settings.ts `AuthComponents`). */
export const AUTH_COMPONENTS = Symbol('kqlgate:AuthComponents');
