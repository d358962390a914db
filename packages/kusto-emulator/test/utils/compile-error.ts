/** The compiler's error for a query that must not compile, for specs asserting its code and exact text. */
import type { DatabaseSchema } from '../../src/compiler/compiler-types.js';
import { compileKql, KqlCompileError } from '../../src/compiler/kql-compiler.js';

const NO_TABLES: DatabaseSchema = { name: 'analytics', tables: [], functions: [] };

export function compileErrorOf(kql: string, db: DatabaseSchema = NO_TABLES): KqlCompileError {
  try {
    compileKql(kql, db);
  } catch (error) {
    if (error instanceof KqlCompileError) {
      return error;
    }
    throw error;
  }
  throw new Error(`expected the query to fail to compile: ${kql}`);
}
