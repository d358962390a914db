import { createRequire } from 'node:module';

/**
 * graphql-js, loaded the way @apollo/server gets it. graphql 16 ships a CommonJS build (`main`) and an ESM build
 * (`module`) without an `exports` map: Node resolves `import 'graphql'` to the CommonJS build, but bundler-style
 * resolvers (Vite/Vitest) pick the ESM one — two copies of the classes, and Apollo rejects our schema with
 * "Cannot use GraphQLSchema from another module or realm". Requiring it pins the one build everyone shares.
 * Types come from `import type … from 'graphql'` as usual.
 */
const require = createRequire(import.meta.url);

export const graphqlJs = require('graphql') as typeof import('graphql');
