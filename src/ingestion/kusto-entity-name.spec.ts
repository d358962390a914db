import { describe, expect, it } from 'vitest';
import { entityNameProblem } from './kusto-entity-name.js';

describe('entityNameProblem', () => {
  it('should accept letters (any script), digits, underscores, spaces, dots and dashes up to 1024 characters', () => {
    for (const name of [
      'FaultEvents',
      'Fault Events',
      'Événements_2026',
      'raw.events-v2',
      '_x',
      'T'.repeat(1024),
    ]) {
      expect(entityNameProblem(name), name).toBeUndefined();
    }
  });

  it('should name the first character a URL would give a meaning to', () => {
    expect(entityNameProblem('FaultEvents#frag')).toBe("'#' is not allowed");
    expect(entityNameProblem('x/../FaultEvents')).toBe("'/' is not allowed");
    expect(entityNameProblem('FaultEvents?x=1')).toBe("'?' is not allowed");
    expect(entityNameProblem('a&mappingName=b')).toBe("'&' is not allowed");
    expect(entityNameProblem('a%2Fb')).toBe("'%' is not allowed");
  });

  it('should name invisible characters by code point', () => {
    expect(entityNameProblem('a\nb')).toBe('U+000A is not allowed');
  });

  it('should refuse the quoted reference forms [\'name\'] and ["name"] with a hint', () => {
    expect(entityNameProblem("['Fault Events']")).toBe(
      "'[' is not allowed (give the name itself, without [' '] quoting)",
    );
    expect(entityNameProblem('["where"]')).toBe(
      "'[' is not allowed (give the name itself, without [' '] quoting)",
    );
  });

  it('should refuse empty, too long, reserved, generated-only and dot-only names', () => {
    expect(entityNameProblem('')).toBe('it is empty');
    expect(entityNameProblem('T'.repeat(1025))).toBe('it has 1025 characters, above the limit of 1024');
    expect(entityNameProblem('__T')).toBe("names starting or ending with '__' are reserved for Kusto");
    expect(entityNameProblem('T__')).toBe("names starting or ending with '__' are reserved for Kusto");
    expect(entityNameProblem('a$b')).toBe("'$' is not allowed");
    expect(entityNameProblem('..')).toBe('a name of dots only cannot be addressed in an ingest request');
  });
});
