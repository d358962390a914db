import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Injectable, Optional } from '@nestjs/common';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { graphqlJs } from './graphql-runtime.js';

const { parse, validate, Kind } = graphqlJs;

/** sha256 of a document's exact text, hex: the hash Apollo's persisted-query extension carries. */
export function documentHash(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

/** The names of a document's operations, for reports ("<anonymous>" for an unnamed one). */
function operationNames(document: DocumentNode): string {
  const names = document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? '<anonymous>'] : [],
  );
  return names.join(', ');
}

/**
 * GRAPHQL_TRUSTED_DOCUMENTS: the JSON manifest `{"<sha256 of the document>": "<document>"}` that
 * `kqlgate graphql extract` writes, read again on every catalog swap (start-up, `--watch`, `deploy`) and
 * validated against that catalog's schema. A document that does not parse, whose key is not its hash, or that
 * no longer validates is logged — one line naming its operations and the GraphQL error — and not served, so a
 * function removed from kql/ cannot leave a registered operation that fails on every call.
 */
@Injectable()
export class TrustedDocumentRegistry {
  private readonly logger = createLogger('graphql');
  private readonly path: string | undefined;
  /** Whether documents outside the manifest are refused (GRAPHQL_TRUSTED_DOCUMENTS_ONLY). */
  readonly trustedOnly: boolean;
  private documents = new Map<string, string>();

  constructor(@Optional() config?: EnvConfig) {
    this.path = config?.GRAPHQL_TRUSTED_DOCUMENTS;
    this.trustedOnly = config?.graphqlTrustedDocumentsOnly ?? false;
  }

  get(hash: string): string | undefined {
    return this.documents.get(hash);
  }

  has(hash: string): boolean {
    return this.documents.has(hash);
  }

  get size(): number {
    return this.documents.size;
  }

  /**
   * Reads the manifest again and keeps the documents that validate against `schema`; returns (and logs) one line
   * per document left out.
   */
  load(schema: GraphQLSchema): readonly string[] {
    if (!this.path) {
      return this.trustedOnly ? [this.warnNothingTrusted()] : [];
    }
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      return this.refuseAll(`cannot read the manifest (${(error as Error).message})`);
    }
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
      return this.refuseAll('must be a JSON object {"<sha256 of the document>": "<document>"}');
    }
    const documents = new Map<string, string>();
    const problems: string[] = [];
    for (const [hash, text] of Object.entries(manifest)) {
      const problem = this.problemOf(schema, hash, text);
      if (problem) {
        problems.push(`GRAPHQL_TRUSTED_DOCUMENTS ${this.path}: ${problem}; not served`);
      } else {
        documents.set(hash, text as string);
      }
    }
    this.documents = documents;
    for (const problem of problems) {
      this.logger.error(problem);
    }
    this.logger.info({ path: this.path, documents: documents.size }, 'trusted GraphQL documents loaded');
    return problems;
  }

  /**
   * Trusted-only with no manifest is a valid setting (an API served by REST alone), but most often it is a
   * production deployment that forgot the manifest: say so on every catalog swap rather than let each GraphQL
   * call find out.
   */
  private warnNothingTrusted(): string {
    const problem =
      'GRAPHQL_TRUSTED_DOCUMENTS_ONLY is on (the default with NODE_ENV=production) and GRAPHQL_TRUSTED_DOCUMENTS is not ' +
      'set: every GraphQL operation is refused. Set GRAPHQL_TRUSTED_DOCUMENTS to a manifest (kqlgate graphql extract) ' +
      'or GRAPHQL_TRUSTED_DOCUMENTS_ONLY=false';
    this.logger.warn(problem);
    return problem;
  }

  private refuseAll(reason: string): readonly string[] {
    const problem = `GRAPHQL_TRUSTED_DOCUMENTS ${this.path}: ${reason}; no trusted document is served`;
    this.documents = new Map();
    this.logger.error(problem);
    return [problem];
  }

  private problemOf(schema: GraphQLSchema, hash: string, text: unknown): string | undefined {
    if (typeof text !== 'string') {
      return `entry ${hash} is not a document string`;
    }
    if (documentHash(text) !== hash) {
      return `entry ${hash} is not the sha256 of its document (${documentHash(text)})`;
    }
    let document: DocumentNode;
    try {
      document = parse(text);
    } catch (error) {
      return `entry ${hash} does not parse: ${(error as Error).message}`;
    }
    const errors = validate(schema, document);
    if (errors.length > 0) {
      return `operation ${operationNames(document)} no longer validates: ${errors.map((e) => e.message).join(' ')}`;
    }
    return undefined;
  }
}
