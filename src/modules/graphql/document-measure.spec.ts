import { describe, expect, it } from 'vitest';
import { COST_EXTENSION, measureDocument, type OperationMeasure } from './document-measure.js';
import { graphqlJs } from './graphql-runtime.js';

const { GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, Kind, getIntrospectionQuery, parse } =
  graphqlJs;

const row = new GraphQLObjectType({ name: 'Row', fields: { A: { type: GraphQLString } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      Cheap: { type: new GraphQLList(row), extensions: { [COST_EXTENSION]: 1 } },
      Heavy: { type: new GraphQLList(row), extensions: { [COST_EXTENSION]: 8 } },
    },
  }),
});

function operation(text: string, operationName?: string): OperationMeasure {
  const document = parse(text);
  const measure = measureDocument(schema, document);
  const node = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  const found = node?.kind === Kind.OPERATION_DEFINITION ? measure.operations.get(node) : undefined;
  if (!found) {
    throw new Error(`no operation ${operationName}`);
  }
  return found;
}

const totals = (text: string) => {
  const { fields, aliases, repeatedFields } = measureDocument(schema, parse(text));
  return { fields, aliases, repeatedFields };
};

describe('measureDocument', () => {
  it('should count every aliased field and every fragment spread in the cost', () => {
    expect(operation('{ a: Heavy { A } b: Heavy { A } Cheap { A } }')).toEqual({
      depth: 2,
      cost: 17,
      introspectionFields: 0,
    });
    expect(operation('{ ...F ... on Query { ...F } } fragment F on Query { Heavy { A } }').cost).toBe(16);
  });

  it('should measure each operation of the document on its own', () => {
    const text = 'query Small { Cheap { A } } query Big { a: Heavy { A } b: Heavy { A } }';
    expect(operation(text, 'Small').cost).toBe(1);
    expect(operation(text, 'Big').cost).toBe(16);
  });

  it('should charge 1 point per started 10 introspection fields, __typename aside', () => {
    expect(operation('{ __schema { types { name } } __typename }')).toEqual({
      depth: 3,
      cost: 1,
      introspectionFields: 3,
    });
    expect(operation('{ __type(name: "Row") { name kind } Cheap { A } }').cost).toBe(2);
    expect(operation('{ __typename }')).toEqual({ depth: 1, cost: 0, introspectionFields: 0 });
    expect(operation(getIntrospectionQuery())).toEqual({ depth: 15, cost: 22, introspectionFields: 220 });
    const everyOption = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    expect(operation(everyOption)).toEqual({ depth: 15, cost: 23, introspectionFields: 230 });
  });

  it('should count fields and aliases of all operations with fragments expanded', () => {
    expect(totals('{ a: Cheap { x: A } b: Cheap { A } } query Q { __typename }')).toEqual({
      fields: 5,
      aliases: 3,
      repeatedFields: 0,
    });
    expect(totals('{ Cheap { ...R ...R } } fragment R on Row { x: A y: A }')).toMatchObject({
      fields: 5,
      aliases: 4,
    });
  });

  it('should count fragments no operation spreads once', () => {
    expect(totals('{ __typename } fragment R on Row { A a: A }')).toMatchObject({ fields: 3, aliases: 1 });
  });

  it('should stay linear on fragments that expand exponentially, and report the expanded count', () => {
    const levels = 40;
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Query { ...F${i + 1} ... on Query { ...F${i + 1} } }`,
    ).join(' ');
    const text = `{ ...F0 } ${fragments} fragment F${levels} on Query { __typename }`;
    const started = performance.now();
    expect(totals(text).fields).toBe(2 ** levels);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('should survive fragment cycles and unknown fragments, which validation reports', () => {
    expect(
      totals('{ ...A ...Missing } fragment A on Query { ...B } fragment B on Query { __typename ...A }'),
    ).toEqual({ fields: 1, aliases: 0, repeatedFields: 0 });
  });

  it('should count fields repeating a response name in their selection set, through fragments', () => {
    expect(totals('{ Cheap { A } Cheap { A } Cheap { A } }').repeatedFields).toBe(2);
    // Inline fragments and spread fragments merge into the set they are in; a fragment spread twice merges once.
    expect(totals('{ Cheap { A ... on Row { A } ...R ...R } } fragment R on Row { A }').repeatedFields).toBe(
      2,
    );
    // Different aliases are different response names.
    expect(totals('{ a: Cheap { A } b: Cheap { A } }').repeatedFields).toBe(0);
  });
});
