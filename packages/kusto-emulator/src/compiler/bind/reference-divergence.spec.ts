import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../compiler-types.js';
import { compileKql, duckDbSetupSql, KqlCompileError } from '../kql-compiler.js';
import { decodeRows } from '../result-decoder.js';
import { contradictedByReference } from './reference-divergence.js';

const db: DatabaseSchema = { name: 'analytics', tables: [], functions: [] };

let connection: DuckDBConnection;

beforeAll(async () => {
  // Loading Kusto.Language and its first analysis take seconds on a busy machine.
  compileKql('print 1', db);
  const instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  for (const sql of duckDbSetupSql()) {
    await connection.run(sql);
  }
}, 120_000);

afterAll(() => {
  connection.closeSync();
});

async function printed(kql: string): Promise<unknown> {
  const [statement] = compileKql(kql, db).statements;
  const reader = await connection.runAndReadAll(statement.sql, statement.parameters as never);
  return decodeRows(statement.resultSchema, reader.getRows())[0][0];
}

function compileError(kql: string): KqlCompileError {
  try {
    compileKql(kql, db);
  } catch (error) {
    if (error instanceof KqlCompileError) {
      return error;
    }
    throw error;
  }
  throw new Error(`expected ${kql} to fail`);
}

describe(contradictedByReference.name, () => {
  describe('make_timespan with a real second', () => {
    it('should answer the reference example (day, hour, minute, real second)', async () => {
      expect(await printed("print ['timespan'] = make_timespan(1,12,30,55.123)")).toBe('1.12:30:55.1230000');
    });

    it('should answer (hour, minute, real second)', async () => {
      expect(await printed('print make_timespan(12, 30, 15.5)')).toBe('12:30:15.5000000');
    });

    it('should answer integer seconds and the (hour, minute) form as before', async () => {
      expect(await printed('print make_timespan(1, 2, 3, 4)')).toBe('1.02:03:04');
      expect(await printed('print make_timespan(2, 30)')).toBe('02:30:00');
    });

    it('should keep the error for a real minute', () => {
      const error = compileError('print make_timespan(12, 30.5, 15)');
      expect(error.code).toBe('SEMANTIC');
      expect(error.message).toBe("KS134: The expression value must be an integer. (near '30.5') (at 1:25)");
    });

    it('should keep the error for a second that is no number', () => {
      const error = compileError('print make_timespan(12, 30, "15")');
      expect(error.code).toBe('SEMANTIC');
      expect(error.message).toBe('KS134: The expression value must be an integer. (near \'"15"\') (at 1:29)');
    });
  });
});
