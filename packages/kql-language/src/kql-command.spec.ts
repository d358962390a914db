import { describe, expect, it } from 'vitest';
import { parseCommand } from './kql-command.js';
import { formatTimespanTicks, literalValue, parseTimespanTicks } from './kql-literals.js';
import { splitScript } from './kql-script.js';

const SCRIPT = `// Orders.
.create-merge table Orders (Id: string, ['Total Amount']: real) with (folder = 'curated')

// Header of the function
// @expose roles=a
.create-or-alter function with (docstring = 'It\\'s {tricky}', folder = "f")
Top(n: long = 5, since: datetime = datetime(2024-01-01), T: (*)) {
    Orders // a } in a comment
    | where Id != '}' and Id != ".alter x"
    | take n
}
.alter table Orders policy update @'[{"Source": "Raw", "Query": "Expand()"}]'
`;

describe('splitScript', () => {
  it('should cut commands at top-level dots and give each its comment header', () => {
    const commands = splitScript(SCRIPT);
    expect(commands.map((c) => c.text.split('\n')[0])).toEqual([
      ".create-merge table Orders (Id: string, ['Total Amount']: real) with (folder = 'curated')",
      ".create-or-alter function with (docstring = 'It\\'s {tricky}', folder = \"f\")",
      `.alter table Orders policy update @'[{"Source": "Raw", "Query": "Expand()"}]'`,
    ]);
    expect(commands[1].header.map((h) => h.text)).toEqual([' Header of the function', ' @expose roles=a']);
    expect(SCRIPT.slice(commands[1].header[1].offset, commands[1].header[1].offset + 8)).toBe(' @expose');
  });
});

describe('parseCommand', () => {
  it('should parse tables, functions and update policies with script offsets', () => {
    const [table, fn, policy] = splitScript(SCRIPT).map(parseCommand);
    expect(table).toMatchObject({
      kind: 'table',
      name: 'Orders',
      columns: [
        { name: 'Id', type: 'string' },
        { name: 'Total Amount', type: 'real' },
      ],
      properties: { folder: 'curated' },
    });
    expect(fn).toMatchObject({
      kind: 'function',
      name: 'Top',
      properties: { docstring: "It's {tricky}", folder: 'f' },
      parameters: [
        { name: 'n', type: 'long', defaultText: '5' },
        { name: 'since', type: 'datetime', defaultText: 'datetime(2024-01-01)' },
        { name: 'T', type: 'tabular' },
      ],
    });
    if (fn.kind !== 'function') {
      throw new Error('not a function');
    }
    expect(SCRIPT.slice(fn.bodyOffset, fn.bodyOffset + 12)).toBe('\n    Orders ');
    expect(fn.body.trim().endsWith('| take n')).toBe(true);
    expect(policy).toMatchObject({
      kind: 'update-policy',
      table: 'Orders',
      policy: '[{"Source": "Raw", "Query": "Expand()"}]',
    });
  });
});

describe('parseTimespanTicks', () => {
  it('should read KQL and ISO-8601 timespans', () => {
    const text = (s: string): string | undefined => {
      const ticks = parseTimespanTicks(s);
      return ticks === undefined ? undefined : formatTimespanTicks(ticks);
    };
    expect(
      ['90s', '1.5h', '2d', '1.02:03:04.5', 'PT1H30M', 'timespan(10ms)', '-1h', 'P1DT1S'].map(text),
    ).toEqual([
      '00:01:30',
      '01:30:00',
      '2.00:00:00',
      '1.02:03:04.5000000',
      '01:30:00',
      '00:00:00.0100000',
      '-01:00:00',
      '1.00:00:01',
    ]);
    expect(['1x', 'P', 'PT', '1:70', 'abc'].map(text)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(literalValue('long', '9007199254740993')).toBe('9007199254740993');
    expect(literalValue('string', "'it\\'s'")).toBe("it's");
  });
});
