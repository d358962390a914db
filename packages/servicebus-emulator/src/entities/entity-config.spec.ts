import { describe, expect, it } from 'vitest';
import { parseEntitiesConfig } from './entity-config.js';
import { parseDurationMs } from './iso-duration.js';

describe('parseEntitiesConfig', () => {
  it('should apply Service Bus defaults and ISO 8601 durations', () => {
    const config = parseEntitiesConfig({
      UserConfig: {
        Namespaces: [
          {
            Name: 'ns',
            Queues: [
              { Name: 'q1' },
              {
                Name: 'q2',
                Properties: { LockDuration: 'PT45S', MaxDeliveryCount: 3, RequiresSession: true },
              },
            ],
          },
        ],
      },
    });
    expect(config.queues[0].properties).toMatchObject({
      lockDurationMs: 60_000,
      maxDeliveryCount: 10,
      defaultMessageTtlMs: undefined,
    });
    expect(config.queues[1].properties).toMatchObject({
      lockDurationMs: 45_000,
      maxDeliveryCount: 3,
      requiresSession: true,
    });
  });

  it('should report every problem at once with its path', () => {
    expect(() =>
      parseEntitiesConfig(
        {
          UserConfig: {
            Namespaces: [
              {
                Name: 'ns',
                Queues: [
                  { Name: 'q', Properties: { LockDuration: 'one minute', MaxDeliveryCount: 0 } },
                  { Name: 'Q' },
                ],
                Topics: [
                  {
                    Name: 't',
                    Subscriptions: [
                      {
                        Name: 's',
                        Properties: { ForwardTo: 'nowhere' },
                        Rules: [
                          {
                            Name: 'bad-sql',
                            Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: 'a >' } },
                          },
                          { Name: 'bad-type', Properties: { FilterType: 'Regex' } },
                          {
                            Name: 'bad-corr',
                            Properties: { FilterType: 'Correlation', CorrelationFilter: { Colour: 'red' } },
                          },
                        ],
                      },
                    ],
                  },
                ],
              },
            ],
          },
        },
        'test.json',
      ),
    ).toThrowErrorMatchingInlineSnapshot(`
      [ServiceBusBrokerError: Invalid Service Bus emulator config (test.json):
        - UserConfig.Namespaces[0].Queues[0].Properties.LockDuration: "one minute" is not a positive ISO 8601 duration (e.g. "PT30S", "PT1M", "P14D")
        - UserConfig.Namespaces[0].Queues[0].Properties.MaxDeliveryCount: expected a positive integer, got 0
        - UserConfig.Namespaces[0].Queues[1].Name: "Q" is declared twice (also at UserConfig.Namespaces[0].Queues[0]); names are case-insensitive
        - UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[0].Properties: rule 'bad-sql' is invalid: expected a value or property name at position 4, found end of expression
        - UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[1].Properties.FilterType: rule 'bad-type' has FilterType "Regex"; expected "Sql" or "Correlation"
        - UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[2].Properties: rule 'bad-corr' is invalid: unknown CorrelationFilter field 'Colour' (expected one of ContentType, CorrelationId, Label, MessageId, ReplyTo, ReplyToSessionId, SessionId, To, Properties)
        - subscription "t/s" ForwardTo: forwards to "nowhere", which is not a declared queue or topic]
    `);
  });

  it('should reject a config without UserConfig', () => {
    expect(() => parseEntitiesConfig({ Namespaces: [] })).toThrow(
      'UserConfig: missing; expected {"UserConfig":{"Namespaces":[…]}}',
    );
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['PT1M', 60_000],
    ['PT30S', 30_000],
    ['PT0.5S', 500],
    ['P14D', 14 * 86_400_000],
    ['P1DT2H', 26 * 3_600_000],
    ['00:01:00', 60_000],
    ['1.00:00:00', 86_400_000],
  ])('should parse %s', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['P', 'PT', '1 minute', ''])('should reject %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});
