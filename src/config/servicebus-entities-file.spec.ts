import { readFileSync } from 'node:fs';
import { parseEntitiesConfig } from '@kqlgate/servicebus-emulator';
import { describe, expect, it } from 'vitest';
import { servicebusEntitiesFile } from './servicebus-entities-file.js';

describe('servicebusEntitiesFile', () => {
  it('should read the default config with topic oltp-events and its two subscriptions', () => {
    const file = servicebusEntitiesFile();
    const config = parseEntitiesConfig(JSON.parse(readFileSync(file, 'utf8')) as unknown, file);
    expect(config.topics.map((t) => [t.name, t.subscriptions.map((s) => s.name)])).toEqual([
      ['oltp-events', ['analytics', 'operational']],
    ]);
    const topic = config.topics[0];
    expect(topic.properties.requiresDuplicateDetection).toBe(true);
    expect(topic.properties.duplicateDetectionWindowMs).toBe(600_000);
    expect(topic.subscriptions[0].rules.map((r) => r.name)).toEqual(['$Default']);
  });
});
