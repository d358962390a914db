/**
 * Emit stage: relational IR → DuckDB SQL text plus its parameters, frozen. Every relation becomes one
 * SELECT over its input as a derived table (DuckDB's optimizer flattens them), so each IR node maps to
 * one readable SQL level and snapshots show a clause per line. Scalars are rendered through
 * `function-map.ts`; constants become `$n` parameters — nothing from the query text is spliced in except
 * identifiers, which go through `DuckDbDialect.quoteIdentifier`. Column names go through a `ColumnNamer`
 * first, because DuckDB would take KQL's `a` and `A` for one column.
 */
import type {
  NamedScalar,
  RelationKind,
  RelationNode,
  ScalarKind,
  ScalarNode,
  SortKey,
} from '../ir/ir-node.js';
import { ColumnNamer } from './column-namer.js';
import { DuckDbDialect } from './duckdb-dialect.js';
import { functionMapping } from './function-map.js';

export interface EmittedSql {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

type RelationEmitters = { [K in RelationKind]: (node: Extract<RelationNode, { kind: K }>) => string };
type RelationInputs = {
  [K in RelationKind]: (node: Extract<RelationNode, { kind: K }>) => readonly RelationNode[];
};

const relationInputs: RelationInputs = {
  Scan: () => [],
  Values: () => [],
  Range: () => [],
  Filter: (n) => [n.input],
  Project: (n) => [n.input],
  Aggregate: (n) => [n.input],
  Sort: (n) => [n.input],
  Limit: (n) => [n.input],
  Distinct: (n) => [n.input],
  Sample: (n) => [n.input],
  Join: (n) => [n.left, n.right],
  Union: (n) => n.inputs,
  MvExpand: (n) => [n.input],
  MakeSeries: (n) => [n.input],
};

function inputsOf(node: RelationNode): readonly RelationNode[] {
  const inputs = relationInputs[node.kind] as (n: RelationNode) => readonly RelationNode[];
  return inputs(node);
}
type ScalarEmitters = { [K in ScalarKind]: (node: Extract<ScalarNode, { kind: K }>) => string };

const q = (name: string): string => DuckDbDialect.quoteIdentifier(name);

function indent(sql: string): string {
  return sql
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/**
 * Fills a function-map template with argument SQL. Besides `{i}`, `{*}` and `{i..}`, two forms serve the
 * internal struct that keeps `arg_max(…, *)` columns from one row: `{i..=}` packs arguments from i as
 * fields `"f1" := …`, and `{i:field}` turns an Ordinal argument into the field name `'f<n>'`.
 */
export function renderTemplate(template: string, args: readonly string[]): string {
  const used = new Set<number>();
  const rendered = template.replace(
    /\{(\d+)(\.\.=?|:field)?\}|\{\*\}/g,
    (match: string, index?: string, form?: string) => {
      if (match === '{*}') {
        args.forEach((_, k) => used.add(k));
        return args.join(', ');
      }
      const i = Number(index);
      if (form === '..' || form === '..=') {
        args.forEach((_, k) => k >= i && used.add(k));
      } else {
        used.add(i);
      }
      if (form === '..') {
        return args.slice(i).join(', ');
      }
      if (form === '..=') {
        return args
          .slice(i)
          .map((a, k) => `"f${k + 1}" := ${a}`)
          .join(', ');
      }
      const arg = args[i];
      if (arg === undefined) {
        throw new Error(`internal: SQL template ${template} needs argument ${i}`);
      }
      if (form === ':field') {
        if (!/^\d+$/.test(arg)) {
          throw new Error(`internal: struct field position must be an ordinal, got ${arg}`);
        }
        return `'f${arg}'`;
      }
      return arg;
    },
  );
  // An argument the SQL would drop is a semantic the compiler does not implement: refuse, never ignore.
  if (used.size < args.length) {
    throw new Error(`internal: SQL template ${template} ignores some of its ${args.length} arguments`);
  }
  return rendered;
}

class SqlEmitter {
  private readonly parameters: unknown[] = [];
  private readonly namer = new ColumnNamer();
  private aliasCounter = 0;

  private readonly relations: RelationEmitters = {
    Scan: (n) => {
      const columns = n.columns.map((c, i) => {
        const stored = n.storageNames[i];
        const name = this.col(c.name);
        return stored === this.namer.sqlName(c.name) ? name : `${q(stored)} AS ${name}`;
      });
      return `SELECT ${columns.join(', ')}\nFROM ${q(n.table)}`;
    },
    Values: (n) => {
      if (n.rows.length === 0) {
        const nulls = n.columns.map(
          (c) => `CAST(NULL AS ${DuckDbDialect.typeName(c.type)}) AS ${this.col(c.name)}`,
        );
        return `SELECT ${nulls.join(', ')}\nWHERE false`;
      }
      if (n.columns.length === 0) {
        return `SELECT 1 AS ${q('__row')}`;
      }
      const rows = n.rows.map(
        (row) =>
          `(${row.map((v, i) => `CAST(${this.scalar(v)} AS ${DuckDbDialect.typeName(n.columns[i].type)})`).join(', ')})`,
      );
      const alias = this.alias();
      const names = n.columns.map((c) => this.col(c.name)).join(', ');
      return `SELECT ${names}\nFROM (VALUES\n${indent(rows.join(',\n'))}\n) AS ${alias}(${names})`;
    },
    Range: (n) => {
      const col = n.columns[0];
      const t = col.type;
      const alias = this.alias();
      // The table function streams its rows in chunks (constant memory, interruptible between them); the list
      // function `unnest(generate_series(…))` built all values as one list in one uninterruptible call — 8 GB
      // for `range x from 1 to 1000000000`, and an error past 2^32 values.
      return `SELECT CAST(${q('__v')} AS ${DuckDbDialect.typeName(t)}) AS ${this.col(col.name)}\nFROM generate_series(${this.scalar(n.start)}, ${this.scalar(n.stop)}, ${this.scalar(n.step)}) AS ${alias}(${q('__v')})`;
    },
    Filter: (n) => `SELECT *\nFROM ${this.from(n.input)}\nWHERE ${this.scalar(n.predicate)}`,
    Project: (n) => `SELECT ${this.namedList(n.outputs)}\nFROM ${this.from(n.input)}`,
    Aggregate: (n) => {
      const select = [...n.groupBy, ...n.aggregates];
      const groupBy =
        n.groupBy.length > 0 ? `\nGROUP BY ${n.groupBy.map((_, i) => String(i + 1)).join(', ')}` : '';
      return `SELECT ${this.namedList(select)}\nFROM ${this.from(n.input)}${groupBy}`;
    },
    Sort: (n) => `SELECT *\nFROM ${this.from(n.input)}\nORDER BY ${this.sortKeys(n.keys)}`,
    Limit: (n) => {
      // `sort | take` / `top` as one SELECT, so DuckDB plans a top-N instead of a full sort.
      if (n.input.kind === 'Sort') {
        return `SELECT *\nFROM ${this.from(n.input.input)}\nORDER BY ${this.sortKeys(n.input.keys)}\nLIMIT ${this.scalar(n.count)}`;
      }
      return `SELECT *\nFROM ${this.from(n.input)}\nLIMIT ${this.scalar(n.count)}`;
    },
    Distinct: (n) => `SELECT DISTINCT *\nFROM ${this.from(n.input)}`,
    Sample: (n) => `SELECT *\nFROM ${this.from(n.input)}\nORDER BY random()\nLIMIT ${this.scalar(n.count)}`,
    Join: (n) => {
      const l = this.alias();
      const r = this.alias();
      const on = n.on.map((c) => `${l}.${this.col(c.left)} = ${r}.${this.col(c.right)}`).join(' AND ');
      const select = n.outputs
        .map(
          (o) =>
            `${o.side === 'left' ? l : r}.${this.col(o.source)}${o.source === o.name ? '' : ` AS ${this.col(o.name)}`}`,
        )
        .join(', ');
      let leftSql = this.relation(n.left);
      if (n.joinKind === 'innerunique') {
        // ADX keeps one (arbitrary) left row per join key before an innerunique join.
        leftSql = `SELECT DISTINCT ON (${n.on.map((c) => this.col(c.left)).join(', ')}) *\nFROM (\n${indent(leftSql)}\n) AS ${this.alias()}`;
      }
      const rightSql = this.relation(n.right);
      const kinds: Record<typeof n.joinKind, string> = {
        inner: 'INNER JOIN',
        innerunique: 'INNER JOIN',
        leftouter: 'LEFT JOIN',
        rightouter: 'RIGHT JOIN',
        fullouter: 'FULL OUTER JOIN',
        leftsemi: 'SEMI JOIN',
        leftanti: 'ANTI JOIN',
        rightsemi: 'SEMI JOIN',
        rightanti: 'ANTI JOIN',
      };
      if (n.joinKind === 'rightsemi' || n.joinKind === 'rightanti') {
        const onSwapped = n.on
          .map((c) => `${r}.${this.col(c.right)} = ${l}.${this.col(c.left)}`)
          .join(' AND ');
        return `SELECT ${select}\nFROM (\n${indent(rightSql)}\n) AS ${r}\n${kinds[n.joinKind]} (\n${indent(leftSql)}\n) AS ${l} ON ${onSwapped}`;
      }
      return `SELECT ${select}\nFROM (\n${indent(leftSql)}\n) AS ${l}\n${kinds[n.joinKind]} (\n${indent(rightSql)}\n) AS ${r} ON ${on}`;
    },
    Union: (n) => {
      const parts = n.inputs.map((input, index) => {
        const available = new Map(input.columns.map((c) => [c.name, c.type]));
        const cols = n.columns.map((c) => {
          if (n.withSource && c.name === n.withSource.column) {
            return `${DuckDbDialect.typedParameter(this.param(n.withSource.names[index] ?? ''), 'string')} AS ${this.col(c.name)}`;
          }
          const t = available.get(c.name);
          if (t === c.type) {
            return this.col(c.name);
          }
          // Same name, different types across inputs: Kusto splits it into `x_long`, `x_int`, …
          const suffix = `_${c.type}`;
          const base = c.name.endsWith(suffix) ? c.name.slice(0, -suffix.length) : undefined;
          if (base !== undefined && available.get(base) === c.type) {
            return `${this.col(base)} AS ${this.col(c.name)}`;
          }
          return `CAST(NULL AS ${DuckDbDialect.typeName(c.type)}) AS ${this.col(c.name)}`;
        });
        return `SELECT ${cols.join(', ')}\nFROM ${this.from(input)}`;
      });
      return parts.join('\nUNION ALL\n');
    },
    MvExpand: (n) => {
      const keep = n.columns.filter(
        (c) => !n.expansions.some((e) => e.name === c.name) && c.name !== n.itemIndex,
      );
      const macro = n.bagAsArray ? 'kql_mv_items_array' : 'kql_mv_items';
      const list = (e: (typeof n.expansions)[number]): string => {
        const items = `${macro}(${this.scalar(e.expr)})`;
        return n.limit ? `list_slice(${items}, 1, ${this.scalar(n.limit)})` : items;
      };
      const lists = n.expansions.map(list);
      // Several unnests in one SELECT are zipped (the shorter padded with nulls), as Kusto expands them.
      const unnests = lists.map((l, i) => `unnest(${l}) AS ${q(`__mv${i}`)}`);
      if (n.itemIndex) {
        unnests.push(
          `unnest(range(0, greatest(${n.expansions.map((e) => `len(${list(e)})`).join(', ')}))) AS ${this.col(n.itemIndex)}`,
        );
      }
      const cols = n.columns.map((c) => {
        const idx = n.expansions.findIndex((e) => e.name === c.name);
        if (idx < 0) {
          return this.col(c.name);
        }
        const e = n.expansions[idx];
        const v = q(`__mv${idx}`);
        if (e.type === 'dynamic') {
          return `${v} AS ${this.col(c.name)}`;
        }
        const mapping = functionMapping(`from_dynamic/${e.type}`);
        return `${mapping ? renderTemplate(mapping.sql, [v]) : v} AS ${this.col(c.name)}`;
      });
      const inner = `SELECT ${[...keep.map((c) => this.col(c.name)), ...unnests].join(', ')}\nFROM ${this.from(n.input)}`;
      return `SELECT ${cols.join(', ')}\nFROM (\n${indent(inner)}\n) AS ${this.alias()}`;
    },
    MakeSeries: (n) => {
      const start = this.scalar(n.start);
      const stop = this.scalar(n.stop);
      const step = this.scalar(n.step);
      // Datetime and timespan axes are integer ticks, and rows are filtered to axis >= start, so `//` floors.
      const isTicks = n.axisType === 'datetime' || n.axisType === 'timespan';
      const binIndex = isTicks
        ? `((${this.scalar(n.axis)} - ${start}) // ${step})`
        : `CAST(floor((${this.scalar(n.axis)} - ${start}) / ${step}) AS BIGINT)`;
      const binCount = `CAST(ceil((${stop} - ${start}) / ${step}) AS BIGINT)`;
      const keys = n.groupBy.map((g) => this.col(g.name));
      const inner = `SELECT ${[...n.groupBy.map((g) => `${this.scalar(g.expr)} AS ${this.col(g.name)}`), `${binIndex} AS ${q('__bin')}`, ...n.series.map((s) => `${this.scalar(s.aggregate)} AS ${this.col(s.name)}`)].join(', ')}\nFROM ${this.from(n.input)}\nWHERE ${this.scalar(n.axis)} >= ${start} AND ${this.scalar(n.axis)} < ${stop}\nGROUP BY ${[...n.groupBy.map((_, i) => String(i + 1)), String(n.groupBy.length + 1)].join(', ')}`;
      const collected = `SELECT ${[...keys, ...n.series.map((s) => `map(list(${q('__bin')}), list(${this.col(s.name)})) AS ${this.col(s.name)}`)].join(', ')}\nFROM (\n${indent(inner)}\n) AS ${this.alias()}${keys.length > 0 ? `\nGROUP BY ${keys.join(', ')}` : n.nonEmpty ? '' : `\nHAVING count(*) > 0`}`;
      const axisValue = `(${start} + i * ${step})`;
      const axisJson =
        n.axisType === 'datetime'
          ? `to_json(list_transform(range(0, ${binCount}), i -> kql_datetime_string(${axisValue})))`
          : n.axisType === 'timespan'
            ? `to_json(list_transform(range(0, ${binCount}), i -> kql_timespan_string(${axisValue})))`
            : `to_json(list_transform(range(0, ${binCount}), i -> ${axisValue}))`;
      const outputs = n.columns.map((c) => {
        if (c.name === n.axisName) {
          return `${axisJson} AS ${this.col(c.name)}`;
        }
        const s = n.series.find((x) => x.name === c.name);
        if (s) {
          return `to_json(list_transform(range(0, ${binCount}), i -> coalesce(${this.col(s.name)}[i], ${this.scalar(s.defaultValue)}))) AS ${this.col(c.name)}`;
        }
        return this.col(c.name);
      });
      return `SELECT ${outputs.join(', ')}\nFROM (\n${indent(collected)}\n) AS ${this.alias()}`;
    },
  };

  private readonly scalars: ScalarEmitters = {
    Column: (n) => this.col(n.name),
    Literal: (n) => {
      if (n.value === null) {
        return n.type === 'struct' ? 'NULL' : `CAST(NULL AS ${DuckDbDialect.typeName(n.type)})`;
      }
      return DuckDbDialect.typedParameter(this.param(n.value), n.type);
    },
    Ordinal: (n) => String(n.value),
    Call: (n) => {
      const mapping = functionMapping(n.fn);
      if (!mapping) {
        throw new Error(`internal: no SQL mapping for ${n.fn}`);
      }
      return renderTemplate(
        mapping.sql,
        n.args.map((a) => this.scalar(a)),
      );
    },
    Case: (n) =>
      `(CASE ${n.whens.map((w) => `WHEN ${this.scalar(w.when)} THEN ${this.scalar(w.then)}`).join(' ')} ELSE ${this.scalar(n.otherwise)} END)`,
    Cast: (n) => `TRY_CAST(${this.scalar(n.operand)} AS ${DuckDbDialect.typeName(n.type)})`,
    Window: (n) => {
      const partition =
        n.partitionBy.length > 0 ? `PARTITION BY ${n.partitionBy.map((p) => this.scalar(p)).join(', ')}` : '';
      const order = n.orderBy.length > 0 ? `ORDER BY ${this.sortKeys(n.orderBy)}` : '';
      const window = (frame = ''): string => `OVER (${[partition, order, frame].filter((x) => x).join(' ')})`;
      const over = window();
      const args = n.args.map((a) => this.scalar(a));
      switch (n.fn) {
        case 'row_number':
          return `row_number() ${over}`;
        case 'prev':
          return `lag(${args.join(', ')}) ${over}`;
        case 'next':
          return `lead(${args.join(', ')}) ${over}`;
        case 'row_cumsum':
          return `sum(${args[0]}) ${window('ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW')}`;
        case 'partition_min':
          return `min(${args[0]}) ${over}`;
        default:
          throw new Error(`internal: unknown window function ${n.fn}`);
      }
    },
    ScalarSubquery: (n) => `(\n${indent(this.relation(n.relation))}\n)`,
    InSubquery: (n) => {
      const first = n.relation.columns[0];
      const sub = `SELECT ${n.caseInsensitive ? `lower(${this.col(first.name)})` : this.col(first.name)}\nFROM ${this.from(n.relation)}`;
      const operand = n.caseInsensitive ? `lower(${this.scalar(n.operand)})` : this.scalar(n.operand);
      return `(${operand} ${n.negated ? 'NOT IN' : 'IN'} (\n${indent(sub)}\n))`;
    },
  };

  emit(root: RelationNode): EmittedSql {
    this.nameColumns(root);
    const sql = this.relation(root);
    return Object.freeze({ sql, parameters: Object.freeze([...this.parameters]) });
  }

  /**
   * Names columns where they are defined, innermost relation first, and stored columns after their DuckDB
   * columns: of two case twins the one met first keeps its spelling, so the SQL reads like the KQL and
   * stored tables are read without renaming. (Names only met later, e.g. in subqueries, are named on use.)
   */
  private nameColumns(node: RelationNode): void {
    for (const input of inputsOf(node)) {
      this.nameColumns(input);
    }
    if (node.kind === 'Scan') {
      node.columns.forEach((c, i) => this.namer.prefer(c.name, node.storageNames[i]));
    }
    for (const column of node.columns) {
      this.namer.sqlName(column.name);
    }
  }

  relation(node: RelationNode): string {
    const emit = this.relations[node.kind] as (n: RelationNode) => string;
    return emit(node);
  }

  scalar(node: ScalarNode): string {
    const emit = this.scalars[node.kind] as (n: ScalarNode) => string;
    return emit(node);
  }

  private from(input: RelationNode): string {
    // A stored table is read directly unless some column's DuckDB name differs from its name here.
    if (
      input.kind === 'Scan' &&
      input.columns.every((c, i) => input.storageNames[i] === this.namer.sqlName(c.name))
    ) {
      return q(input.table);
    }
    return `(\n${indent(this.relation(input))}\n) AS ${this.alias()}`;
  }

  private namedList(items: readonly NamedScalar[]): string {
    if (items.length === 0) {
      return `1 AS ${q('__row')}`;
    }
    return items
      .map((i) => {
        const sql = this.scalar(i.expr);
        return i.expr.kind === 'Column' && i.expr.name === i.name ? sql : `${sql} AS ${this.col(i.name)}`;
      })
      .join(', ');
  }

  private sortKeys(keys: readonly SortKey[]): string {
    return keys
      .map((k) => {
        const direction = `${k.descending ? 'DESC' : 'ASC'} ${k.nullsFirst ? 'NULLS FIRST' : 'NULLS LAST'}`;
        const value = this.scalar(k.expr);
        // ADX orders NaN below every real (DuckDB above), so reals get a NaN-first key in the same direction.
        const nanKey =
          k.expr.type === 'real'
            ? `(CASE WHEN ${value} IS NULL THEN NULL WHEN isnan(${value}) THEN 0 ELSE 1 END) ${direction}, `
            : '';
        return `${nanKey}${value} ${direction}`;
      })
      .join(', ');
  }

  /** A KQL column name as a quoted DuckDB identifier, case-distinct within the statement. */
  private col(name: string): string {
    return q(this.namer.sqlName(name));
  }

  private param(value: unknown): string {
    this.parameters.push(value);
    return DuckDbDialect.placeholder(this.parameters.length);
  }

  private alias(): string {
    this.aliasCounter += 1;
    return `t${this.aliasCounter}`;
  }
}

export function emitSql(root: RelationNode): EmittedSql {
  return new SqlEmitter().emit(root);
}
