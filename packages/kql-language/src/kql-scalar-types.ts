/**
 * Kusto scalar type names as kqlgate uses them everywhere (catalog, GraphQL, OpenAPI, result typing). KQL accepts
 * several aliases for some of them (`double`, `date`, `boolean`, `time`, `uuid`, `uniqueid`); `normalizeScalarType`
 * folds those onto the canonical names Kusto itself reports in result schemas.
 */
export const KUSTO_SCALAR_TYPES = [
  'bool',
  'int',
  'long',
  'real',
  'decimal',
  'string',
  'datetime',
  'timespan',
  'guid',
  'dynamic',
] as const;

export type KustoScalarType = (typeof KUSTO_SCALAR_TYPES)[number];

const ALIASES: Record<string, KustoScalarType> = {
  bool: 'bool',
  boolean: 'bool',
  int: 'int',
  int32: 'int',
  long: 'long',
  int64: 'long',
  real: 'real',
  double: 'real',
  decimal: 'decimal',
  string: 'string',
  datetime: 'datetime',
  date: 'datetime',
  timespan: 'timespan',
  time: 'timespan',
  guid: 'guid',
  uuid: 'guid',
  uniqueid: 'guid',
  dynamic: 'dynamic',
};

/** The canonical type for a KQL type name, or undefined when it is not a scalar type name. */
export function normalizeScalarType(name: string): KustoScalarType | undefined {
  return ALIASES[name.trim().toLowerCase()];
}

/** The .NET type ADX reports for each scalar type (`getschema`'s `DataType`, `.show table … schema as json`). */
const CLR_TYPES: Record<KustoScalarType, string> = {
  bool: 'System.SByte',
  int: 'System.Int32',
  long: 'System.Int64',
  real: 'System.Double',
  decimal: 'System.Data.SqlTypes.SqlDecimal',
  string: 'System.String',
  datetime: 'System.DateTime',
  timespan: 'System.TimeSpan',
  guid: 'System.Guid',
  dynamic: 'System.Object',
};

export function clrTypeName(type: KustoScalarType): string {
  return CLR_TYPES[type];
}
