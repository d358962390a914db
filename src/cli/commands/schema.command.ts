import { type Command, InvalidArgumentError } from 'commander';
import { graphqlJs } from '../../modules/graphql/graphql-runtime.js';
import { buildGraphqlSchema } from '../../modules/graphql/schema-builder.js';
import { buildOpenApi } from '../../modules/rest/openapi/openapi-builder.js';
import { loadCleanCatalog } from './lint.command.js';

/** `kqlgate schema --graphql|--openapi [--kql DIR]`: print the generated contract (commit it to review changes). */
export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the GraphQL SDL or the OpenAPI 3.1 document generated from kql/')
    .option('--graphql', 'print the GraphQL schema (SDL)')
    .option('--openapi', 'print the OpenAPI 3.1 document (JSON)')
    .option('--kql <dir>', 'the kql directory (tables/ and functions/)', 'kql')
    .action(async (options: { graphql?: boolean; openapi?: boolean; kql: string }) => {
      if (Boolean(options.graphql) === Boolean(options.openapi)) {
        throw new InvalidArgumentError('give exactly one of --graphql or --openapi');
      }
      const catalog = await loadCleanCatalog(options.kql, 'schema');
      if (!catalog) {
        return;
      }
      process.stdout.write(
        options.graphql
          ? `${graphqlJs.printSchema(buildGraphqlSchema(catalog))}\n`
          : `${JSON.stringify(buildOpenApi(catalog), null, 2)}\n`,
      );
    });
}
