import { readFile } from 'node:fs/promises';

/**
 * The parts of a Grafana dashboard JSON model that the kqlgate dashboards use, and the Infinity query model
 * (`yesoreyeram-infinity-datasource`, src/types/query.types.ts in grafana/grafana-infinity-datasource) of their
 * targets. Fields are optional where a hand-edited dashboard may lack them: the contract checker reports what is
 * missing instead of the reader throwing.
 */
export interface DataSourceRef {
  readonly type?: string;
  readonly uid?: string;
}

export interface InfinityKeyValue {
  readonly key: string;
  readonly value: string;
}

export interface InfinityColumn {
  readonly selector: string;
  readonly text?: string;
  /** `string`, `number`, `timestamp`, `timestamp_epoch`, `timestamp_epoch_s` or `boolean`. */
  readonly type: string;
}

export interface PanelTarget {
  readonly refId: string;
  readonly datasource?: DataSourceRef;
  /** Dashboard data source (`-- Dashboard --`): the panel whose results this target reuses. */
  readonly panelId?: number;
  // Infinity query fields
  readonly type?: string;
  readonly source?: string;
  readonly parser?: string;
  readonly format?: string;
  readonly url?: string;
  readonly url_options?: {
    readonly method?: string;
    readonly params?: readonly InfinityKeyValue[];
    readonly headers?: readonly InfinityKeyValue[];
  };
  readonly root_selector?: string;
  readonly columns?: readonly InfinityColumn[];
}

export interface GrafanaPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: DataSourceRef;
  readonly targets?: readonly PanelTarget[];
  /** The panels of a collapsed row. */
  readonly panels?: readonly GrafanaPanel[];
}

export interface GrafanaVariable {
  readonly type: string;
  readonly name: string;
  readonly query?: string;
  readonly current?: { readonly value?: string | readonly string[] };
}

export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly refresh?: string;
  readonly panels: readonly GrafanaPanel[];
  readonly templating?: { readonly list?: readonly GrafanaVariable[] };
}

/** The Grafana data source that reuses another panel's results instead of querying again. */
export const DASHBOARD_DATASOURCE_UID = '-- Dashboard --';

export async function readGrafanaDashboard(path: string): Promise<GrafanaDashboard> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const dashboard = parsed as Partial<GrafanaDashboard> | null;
  if (!dashboard || typeof dashboard !== 'object' || !Array.isArray(dashboard.panels)) {
    throw new Error(`${path}: not a Grafana dashboard (no "panels" list)`);
  }
  return dashboard as GrafanaDashboard;
}

/** Every panel, the panels of collapsed rows included. */
export function allPanels(dashboard: GrafanaDashboard): GrafanaPanel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** The current value of each template variable, as a panel query sees it when the dashboard opens. */
export function currentVariableValues(dashboard: GrafanaDashboard): Map<string, string> {
  const values = new Map<string, string>();
  for (const variable of dashboard.templating?.list ?? []) {
    const current = variable.current?.value;
    values.set(
      variable.name,
      typeof current === 'string' ? current : (current?.join(',') ?? variable.query ?? ''),
    );
  }
  return values;
}
