import { kustoLanguage } from '@kqlgate/kql-language';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../compiler-types.js';
import { compileErrorOf } from '../../../test/utils/compile-error.js';
import { compileKql, type KqlCompileError } from '../kql-compiler.js';
import { type KDiagnostic, type KList, listToArray } from '../parse/kusto-syntax.js';
import { OPERATORS_UNKNOWN_TO_KUSTO_LANGUAGE, refusalForDiagnostic } from './diagnostic-refusal.js';

const db: DatabaseSchema = {
  name: 'analytics',
  tables: [
    {
      name: 'Events',
      columns: [
        { name: 'Kind', type: 'string' },
        { name: 'Props', type: 'dynamic' },
      ],
    },
  ],
  functions: [],
};

const compileError = (kql: string): KqlCompileError => compileErrorOf(kql, db);

beforeAll(() => {
  // Loading Kusto.Language and its first analysis take seconds on a busy machine.
  compileKql('print 1', db);
}, 120_000);

describe(refusalForDiagnostic.name, () => {
  describe('a plugin Kusto.Language does not know', () => {
    it('should refuse the evaluate operator by name instead of KS124', () => {
      const error = compileError('Events | getschema | evaluate schema_merge()');
      expect(error.code).toBe('UNSUPPORTED');
      expect(error.message).toBe(
        "operator 'evaluate schema_merge() (EvaluateOperator)' is not supported by the embedded engine (at 1:22)",
      );
    });
  });

  describe('arguments Kusto.Language rejects inside an operator the engine does not implement', () => {
    it("should refuse bag_unpack with ignoredProperties instead of Kusto.Language's type error", () => {
      const error = compileError("Events | evaluate bag_unpack(Props, ignoredProperties=dynamic(['a']))");
      expect(error.code).toBe('UNSUPPORTED');
      expect(error.message).toBe(
        "operator 'evaluate bag_unpack(Props, ignoredProper… (EvaluateOperator)' is not supported by the embedded engine (at 1:10)",
      );
    });
  });

  describe('an operator keyword Kusto.Language cannot parse', () => {
    it('should refuse a documented operator by its keyword and position', () => {
      const error = compileError('Events\n| graph-merge Other');
      expect(error.code).toBe('UNSUPPORTED');
      expect(error.message).toBe("operator 'graph-merge' is not supported by the embedded engine (at 2:3)");
    });

    it('should keep a misspelt operator a syntax error at its position', () => {
      const error = compileError('Events\n| graph-marge Other');
      expect(error.code).toBe('SYNTAX');
      expect(error.message).toBe("KS176: Query operator expected. (near 'graph-marge') (at 2:2)");
    });

    it('should list only operators Kusto.Language still rejects', () => {
      const language = kustoLanguage();
      for (const keyword of OPERATORS_UNKNOWN_TO_KUSTO_LANGUAGE) {
        const code = language.KustoCode.Parse(`print x = 1 | ${keyword} y`, language.GlobalState.Default);
        const codes = listToArray(code?.GetSyntaxDiagnostics() as KList<KDiagnostic> | null).map(
          (d) => d.Code,
        );
        expect(codes, `Kusto.Language now parses '${keyword}': drop it from the list`).toContain('KS176');
      }
    });
  });

  describe('mistakes in supported operators', () => {
    it('should keep a misspelt column a semantic error with its position', () => {
      const error = compileError('Events | where Knd == "a"');
      expect(error.code).toBe('SEMANTIC');
      expect(error.message).toBe(
        "KS142: The name 'Knd' does not refer to any known column, table, variable or function. (at 1:16)",
      );
    });

    it('should keep a missing parenthesis a syntax error with its position', () => {
      const error = compileError('Events | where strlen(Kind > 1');
      expect(error.code).toBe('SYNTAX');
      expect(error.message).toMatch(/^KS\d+: .* \(at 1:\d+\)$/);
    });

    it('should keep a misspelt column before an unsupported operator a semantic error', () => {
      const error = compileError('Events | where Knd == "a" | evaluate bag_unpack(Props)');
      expect(error.code).toBe('SEMANTIC');
      expect(error.message).toMatch(/^KS142: The name 'Knd' .* \(at 1:16\)$/);
    });
  });
});
