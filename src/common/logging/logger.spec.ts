import { describe, expect, it } from 'vitest';
import { logFormatFromEnv } from './logger.js';

describe('logFormatFromEnv', () => {
  it('should choose pretty lines when stdout is a terminal and LOG_FORMAT is unset', () => {
    expect(logFormatFromEnv({}, true)).toBe('pretty');
  });

  it('should choose JSON lines when stdout is not a terminal (a container, a pipe, a file)', () => {
    expect(logFormatFromEnv({}, false)).toBe('json');
  });

  it('should follow LOG_FORMAT whatever stdout is', () => {
    expect(logFormatFromEnv({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormatFromEnv({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('should keep the default for a value the configuration check refuses', () => {
    expect(logFormatFromEnv({ LOG_FORMAT: 'xml' }, false)).toBe('json');
    expect(logFormatFromEnv({ LOG_FORMAT: '' }, true)).toBe('pretty');
  });
});
