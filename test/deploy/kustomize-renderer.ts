/**
 * Renders a kustomization with `kubectl kustomize` (the kustomize built into kubectl, as `kubectl apply -k` uses it)
 * and parses the multi-document YAML it prints.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string } & Record<string, unknown>;
  readonly [field: string]: unknown;
}

export async function renderKustomization(directory: string): Promise<RenderedObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('kubectl', ['kustomize', directory], { maxBuffer: 16 * 1024 * 1024 }));
  } catch (error) {
    const { code, stderr } = error as { code?: unknown; stderr?: string };
    if (code === 'ENOENT') {
      throw new Error(
        'kubectl is not on PATH: install it (Debian: apt-get install kubectl, as .ci/run does) to render the manifests',
      );
    }
    throw new Error(`kubectl kustomize ${directory} failed: ${stderr?.trim() || String(error)}`);
  }
  return parseAllDocuments(stdout).map((document, index) => {
    if (document.errors.length > 0) {
      throw new Error(`kubectl kustomize ${directory}: document ${index + 1}: ${document.errors[0].message}`);
    }
    return document.toJS() as RenderedObject;
  });
}
