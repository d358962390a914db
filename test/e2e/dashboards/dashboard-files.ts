import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../../utils/ensure-built.js';

/** The shipped dashboard files and the guide that describes them. */
export const DASHBOARD_FILE = join(repoRoot, 'dashboards', 'grafana', 'kqlgate-demo.json');
export const DATASOURCE_FILE = join(
  repoRoot,
  'dashboards',
  'grafana',
  'provisioning',
  'datasources',
  'kqlgate.yaml',
);
export const DASHBOARD_PROVIDER_FILE = join(
  repoRoot,
  'dashboards',
  'grafana',
  'provisioning',
  'dashboards',
  'kqlgate.yaml',
);
export const POWER_BI_DIR = join(repoRoot, 'dashboards', 'powerbi');
export const GUIDE_FILE = join(repoRoot, 'docs', 'dashboards.md');

/** Every Power BI recipe (`*.pq`) of dashboards/powerbi. */
export async function powerBiRecipeFiles(): Promise<string[]> {
  return (await readdir(POWER_BI_DIR))
    .filter((name) => name.endsWith('.pq'))
    .sort()
    .map((name) => join(POWER_BI_DIR, name));
}

export async function readGuide(): Promise<string> {
  return readFile(GUIDE_FILE, 'utf8');
}

/** The arguments of the guide's `npx kqlgate token --new-api-key …` line. */
export function guideTokenArguments(guide: string): string[] {
  const line = /^npx kqlgate token (--new-api-key .+)$/m.exec(guide)?.[1];
  if (!line) {
    throw new Error(`${GUIDE_FILE}: no "npx kqlgate token --new-api-key …" line`);
  }
  return line.trim().split(/\s+/);
}

/** The rate-limit points the guide says one refresh of the whole dashboard spends. */
export function guidePointsPerRefresh(guide: string): number {
  const points = /one\s+refresh\s+of\s+the\s+whole\s+dashboard\s+spends\s+\*\*(\d+)\s+points\*\*/.exec(
    guide,
  )?.[1];
  if (!points) {
    throw new Error(`${GUIDE_FILE}: no "one refresh of the whole dashboard spends **N points**"`);
  }
  return Number(points);
}
