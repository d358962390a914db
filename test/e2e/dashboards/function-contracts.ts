/**
 * What a dashboard may rely on about each exposed function, read from kqlgate's OpenAPI document (the one
 * `GET /api/v1/openapi.json` serves, or `kqlgate schema --openapi` prints): its query parameters, the ones bound to
 * a claim (never sent by a caller), its output columns with their Kusto types, and its cost and cache TTL.
 */
export interface FunctionContract {
  readonly name: string;
  /** Query parameters a caller may send, with whether the function requires them. */
  readonly parameters: ReadonlyMap<string, { readonly required: boolean }>;
  /** Parameters filled from the caller's claims (`@bind`): sending one is a 400. */
  readonly boundParameters: readonly string[];
  /** Output column → Kusto type (`string`, `long`, `real`, `datetime`, `dynamic`, …). */
  readonly columns: ReadonlyMap<string, string>;
  /** Rate-limit points one call spends (`@expose cost=`). */
  readonly cost: number;
  /** `@expose cache=` in seconds; 0 when results are not cached. */
  readonly cacheTtlSeconds: number;
}

const FUNCTION_PATH = /^\/api\/v1\/functions\/([A-Za-z_][A-Za-z0-9_]*)$/;

type Json = Record<string, unknown>;

export class FunctionContracts {
  private constructor(private readonly byName: ReadonlyMap<string, FunctionContract>) {}

  static fromOpenApi(document: unknown): FunctionContracts {
    const doc = asObject(document, 'the OpenAPI document');
    const paths = asObject(doc.paths, 'paths');
    const schemas = asObject(asObject(doc.components, 'components').schemas, 'components.schemas');
    const contracts = new Map<string, FunctionContract>();
    for (const [path, item] of Object.entries(paths)) {
      const name = FUNCTION_PATH.exec(path)?.[1];
      if (!name) {
        continue;
      }
      const get = asObject(asObject(item, path).get, `${path} get`);
      const extension = asObject(get['x-kqlgate'] ?? {}, `${path} x-kqlgate`);
      const parameters = new Map<string, { required: boolean }>();
      for (const raw of asArray(get.parameters ?? [], `${path} parameters`)) {
        const parameter = asObject(raw, `${path} parameter`);
        if (parameter.in === 'query' && typeof parameter.name === 'string') {
          parameters.set(parameter.name, { required: parameter.required === true });
        }
      }
      contracts.set(name, {
        name,
        parameters,
        boundParameters: Object.keys(asObject(extension.boundParameters ?? {}, `${path} boundParameters`)),
        columns: rowColumns(get, schemas, path),
        cost: typeof extension.cost === 'number' ? extension.cost : 1,
        cacheTtlSeconds: typeof extension.cacheTtlSeconds === 'number' ? extension.cacheTtlSeconds : 0,
      });
    }
    return new FunctionContracts(contracts);
  }

  get(name: string): FunctionContract | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}

/** The row schema behind `200 application/json` → `data.items.$ref`, as column → `x-kusto-type`. */
function rowColumns(get: Json, schemas: Json, path: string): Map<string, string> {
  const json = asObject(
    asObject(
      asObject(asObject(get.responses, `${path} responses`)['200'], `${path} 200`).content,
      `${path} content`,
    )['application/json'],
    `${path} application/json`,
  );
  const data = asObject(
    asObject(asObject(json.schema, `${path} schema`).properties, `${path} properties`).data,
    'data',
  );
  const ref = asObject(data.items, `${path} data.items`).$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/components/schemas/')) {
    throw new Error(`${path}: data.items is not a $ref to a row schema`);
  }
  const row = asObject(schemas[ref.slice('#/components/schemas/'.length)], ref);
  const columns = new Map<string, string>();
  for (const [column, schema] of Object.entries(asObject(row.properties, `${ref} properties`))) {
    const kustoType = asObject(schema, `${ref}.${column}`)['x-kusto-type'];
    columns.set(column, typeof kustoType === 'string' ? kustoType : 'unknown');
  }
  return columns;
}

function asObject(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what}: expected an object`);
  }
  return value as Json;
}

function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new Error(`${what}: expected a list`);
  }
  return value;
}
