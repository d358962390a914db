// The DTO is imported first, before anything that loads reflect-metadata: its decorators record the settings' types
// (which loadConfig reads to turn "0" into 0) only if the module itself loads the polyfill. The unit project shares
// one module registry per worker, so another spec may well be the first to load it.
import { EnvConfig } from './env.dto.js';
import { loadConfig } from './load-config.js';
import { describe, expect, it } from 'vitest';

describe(EnvConfig.name, () => {
  it('should keep the settings types whichever module imports it first', () => {
    expect(loadConfig({ DEMO_RATE: '0', PORT: '8081' })).toMatchObject({ DEMO_RATE: 0, PORT: 8081 });
  });
});
