import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { jwtModeFromConfig } from '../../src/modules/auth/auth-settings.js';
import { unknownVariables } from './deployment-environment.js';
import { validateKubernetesObject } from './kubernetes-object-validator.js';
import { renderKustomization, type RenderedObject } from './kustomize-renderer.js';

const OVERLAYS = 'deploy/kubernetes/overlays';
const ROLES = ['gateway', 'ingestion'] as const;

interface Container {
  name: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: Record<string, unknown>;
}
interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    serviceAccountName?: string;
    securityContext?: Record<string, unknown>;
    containers: Container[];
    volumes?: unknown[];
  };
}

function find(objects: RenderedObject[], kind: string, name: string): RenderedObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) {
    throw new Error(
      `no ${kind}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    );
  }
  return found;
}

function podTemplate(objects: RenderedObject[], role: string): PodTemplate {
  return (find(objects, 'Deployment', `kqlgate-${role}`).spec as { template: PodTemplate }).template;
}

function portNumber(container: Container, port: number | string): number | undefined {
  return typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
}

/** The environment the container starts with: its ConfigMaps (envFrom), then its literal env entries. */
function containerEnvironment(objects: RenderedObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      Object.assign(env, find(objects, 'ConfigMap', source.configMapRef.name).data as Record<string, string>);
    }
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) {
      env[entry.name] = entry.value;
    }
  }
  return env;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

const overlays = readdirSync(OVERLAYS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe('deploy/kubernetes', () => {
  it('should have at least one overlay to render', () => {
    expect(overlays).toContain('production');
  });

  describe.each(overlays)('overlays/%s', (overlay) => {
    let objects: RenderedObject[];

    beforeAll(async () => {
      objects = await renderKustomization(join(OVERLAYS, overlay));
    });

    it('should render both roles with their services, autoscalers, budgets and identity', () => {
      const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'ServiceAccount/kqlgate',
          'Deployment/kqlgate-gateway',
          'Deployment/kqlgate-ingestion',
          'Service/kqlgate-gateway',
          'Service/kqlgate-metrics',
          'HorizontalPodAutoscaler/kqlgate-gateway',
          'PodDisruptionBudget/kqlgate-gateway',
          'PodDisruptionBudget/kqlgate-ingestion',
          'ScaledObject/kqlgate-ingestion',
          'TriggerAuthentication/kqlgate-servicebus',
        ]),
      );
    });

    it('should match the Kubernetes and KEDA schemas in every object, with no unknown field', async () => {
      const problems = (await Promise.all(objects.map((o) => validateKubernetesObject(o)))).flat();
      expect(problems).toEqual([]);
    });

    it.each(ROLES)(
      'should probe /health/live and /health/ready on the kqlgate port in the %s role',
      (role) => {
        const [container] = podTemplate(objects, role).spec.containers;
        const env = containerEnvironment(objects, container);
        const probes = {
          startup: container.startupProbe?.httpGet,
          liveness: container.livenessProbe?.httpGet,
          readiness: container.readinessProbe?.httpGet,
        };
        expect({
          startup: probes.startup?.path,
          liveness: probes.liveness?.path,
          readiness: probes.readiness?.path,
        }).toEqual({ startup: '/health/live', liveness: '/health/live', readiness: '/health/ready' });
        for (const probe of Object.values(probes)) {
          expect(portNumber(container, probe!.port)).toBe(Number(env.PORT));
        }
      },
    );

    it.each(ROLES)(
      'should run the %s role as `kqlgate start`, non-root, on a read-only root filesystem',
      (role) => {
        const pod = podTemplate(objects, role);
        const [container] = pod.spec.containers;
        expect(pod.spec.containers).toHaveLength(1);
        expect(container.command).toEqual(['kqlgate', 'start']);
        expect(containerEnvironment(objects, container).KQLGATE_ROLE).toBe(role);
        expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true });
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        // Nothing is writable, and with Azure endpoints kqlgate writes nothing (DATA_DIR is the embedded stack's).
        expect(pod.spec.volumes).toBeUndefined();
      },
    );

    it.each(ROLES)('should give the %s role a configuration kqlgate starts that role with', (role) => {
      const [container] = podTemplate(objects, role).spec.containers;
      // What `kqlgate start` validates first: a single role needs the Azure services, never the local stack.
      const config = loadConfig(containerEnvironment(objects, container));
      expect(config.KQLGATE_ROLE).toBe(role);
      expect(config.kustoEmbedded).toBe(false);
    });

    it.each(ROLES)(
      'should give the %s role the workload identity of a service account with a client id',
      (role) => {
        const pod = podTemplate(objects, role);
        expect(pod.metadata.labels['azure.workload.identity/use']).toBe('true');
        const account = find(objects, 'ServiceAccount', pod.spec.serviceAccountName ?? 'default');
        const annotations = account.metadata.annotations as Record<string, string>;
        expect(annotations['azure.workload.identity/client-id']).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        );
      },
    );

    it.each(ROLES)('should give the %s role a production configuration that kqlgate accepts', (role) => {
      const [container] = podTemplate(objects, role).spec.containers;
      const env = containerEnvironment(objects, container);
      expect(unknownVariables(Object.keys(env))).toEqual([]);
      const config = loadConfig(env);
      expect({
        production: config.production,
        kustoEmbedded: config.kustoEmbedded,
        serviceBusEmbedded: config.serviceBusEmbedded,
        host: config.HOST,
        demoRate: config.DEMO_RATE,
        jwt: jwtModeFromConfig(config).kind,
      }).toEqual({
        production: true,
        kustoEmbedded: false,
        serviceBusEmbedded: false,
        host: '0.0.0.0',
        demoRate: 0,
        jwt: 'jwks',
      });
      // /metrics on its own port, which no Service load-balances or publishes.
      expect(config.METRICS_PORT).not.toBe(config.PORT);
    });

    it('should scale the gateway on CPU and ingestion on the backlog of the subscription it consumes', () => {
      const hpa = find(objects, 'HorizontalPodAutoscaler', 'kqlgate-gateway').spec as {
        scaleTargetRef: { kind: string; name: string };
        minReplicas: number;
        metrics: { resource?: { name: string } }[];
      };
      expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'kqlgate-gateway' });
      expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.metrics.map((m) => m.resource?.name)).toEqual(['cpu']);
      const [gateway] = podTemplate(objects, 'gateway').spec.containers;
      expect(gateway).toMatchObject({ resources: { requests: { cpu: expect.any(String) } } });

      const scaled = find(objects, 'ScaledObject', 'kqlgate-ingestion').spec as {
        scaleTargetRef: { name: string };
        minReplicaCount: number;
        triggers: { type: string; metadata: Record<string, string>; authenticationRef: { name: string } }[];
      };
      expect(scaled.scaleTargetRef.name).toBe('kqlgate-ingestion');
      expect(scaled.minReplicaCount).toBeGreaterThanOrEqual(1);
      const [trigger] = scaled.triggers;
      const [ingestion] = podTemplate(objects, 'ingestion').spec.containers;
      const env = containerEnvironment(objects, ingestion);
      expect({ type: trigger.type, ...trigger.metadata }).toMatchObject({
        type: 'azure-servicebus',
        // KEDA takes the namespace's name and appends the cloud's suffix itself.
        namespace: env.SERVICEBUS_NAMESPACE.split('.')[0],
        topicName: env.SERVICEBUS_TOPIC,
        subscriptionName: env.SERVICEBUS_SUBSCRIPTION,
      });
      const auth = find(objects, 'TriggerAuthentication', trigger.authenticationRef.name).spec as {
        podIdentity: { provider: string; identityId: string };
      };
      expect(auth.podIdentity.provider).toBe('azure-workload');
      expect(auth.podIdentity.identityId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('should point every Service, budget and network policy at pods and ports that exist', () => {
      const pods = ROLES.map((role) => podTemplate(objects, role));
      for (const object of objects) {
        const spec = object.spec as Record<string, unknown> | undefined;
        const selector =
          object.kind === 'Service'
            ? (spec!.selector as Record<string, string>)
            : object.kind === 'PodDisruptionBudget'
              ? (spec!.selector as { matchLabels: Record<string, string> }).matchLabels
              : object.kind === 'NetworkPolicy'
                ? (spec!.podSelector as { matchLabels: Record<string, string> }).matchLabels
                : undefined;
        if (!selector) {
          continue;
        }
        const selected = pods.filter((pod) => selects(selector, pod.metadata.labels));
        expect(selected, `${object.kind}/${object.metadata.name} selects no pod`).not.toEqual([]);
        if (object.kind === 'Service') {
          for (const port of spec!.ports as { targetPort: string }[]) {
            for (const pod of selected) {
              expect(portNumber(pod.spec.containers[0], port.targetPort)).toEqual(expect.any(Number));
            }
          }
        }
      }
    });
  });

  describe(validateKubernetesObject.name, () => {
    const deployment = () => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web', 'any.example/key': 'free-form' } },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 3000 }] }] },
        },
      },
    });

    it('should accept a valid object, free-form maps included', async () => {
      expect(await validateKubernetesObject(deployment())).toEqual([]);
      expect(
        await validateKubernetesObject({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'settings' },
          data: { ANY_NAME: 'value' },
        }),
      ).toEqual([]);
    });

    it('should report a value of the wrong type', async () => {
      const broken = deployment();
      (broken.spec.template.spec.containers[0].ports[0] as { containerPort: unknown }).containerPort = 'http';
      expect(await validateKubernetesObject(broken)).toEqual([
        'Deployment/web: /spec/template/spec/containers/0/ports/0/containerPort: must be integer',
      ]);
    });

    it('should report a missing required field', async () => {
      const broken = deployment();
      delete (broken.spec.template.spec.containers[0] as { name?: string }).name;
      expect(await validateKubernetesObject(broken)).toEqual([
        'Deployment/web: /spec/template/spec/containers/0: must have required property name',
      ]);
    });

    it('should report a field the schema does not have', async () => {
      const broken = deployment();
      Object.assign(broken.spec.template.spec.containers[0], { readinesProbe: { httpGet: { path: '/' } } });
      expect(await validateKubernetesObject(broken)).toEqual([
        'Deployment/web: /spec/template/spec/containers/0/readinesProbe: unknown field (not in the apps/v1 Deployment schema)',
      ]);
    });

    it("should check KEDA's objects against KEDA's CRD schemas", async () => {
      expect(
        await validateKubernetesObject({
          apiVersion: 'keda.sh/v1alpha1',
          kind: 'TriggerAuthentication',
          metadata: { name: 'sb' },
          spec: { podIdentity: { provider: 'azure', identityID: 'x' } },
        }),
      ).toEqual([
        'TriggerAuthentication/sb: /spec/podIdentity/provider: must be equal to one of the allowed values: "azure-workload", "gcp", "aws", "aws-eks", "none"',
        'TriggerAuthentication/sb: /spec/podIdentity/identityID: unknown field (not in the keda.sh/v1alpha1 TriggerAuthentication schema)',
      ]);
      expect(
        await validateKubernetesObject({
          apiVersion: 'keda.sh/v1alpha1',
          kind: 'ScaledObject',
          metadata: { name: 'sb' },
          spec: {
            scaleTargetRef: { name: 'web' },
            triggers: [{ type: 'azure-servicebus', metadata: { a: 1 } }],
          },
        }),
      ).toEqual(['ScaledObject/sb: /spec/triggers/0/metadata/a: must be string']);
    });

    it('should report an apiVersion or kind that has no schema', async () => {
      expect(
        await validateKubernetesObject({
          apiVersion: 'apps/v1',
          kind: 'Deploymnet',
          metadata: { name: 'web' },
        }),
      ).toEqual([
        'Deploymnet/web: no schema for apps/v1 Deploymnet (kubernetes-models/apps/v1/Deploymnet does not exist): a wrong apiVersion or kind',
      ]);
      expect(
        await validateKubernetesObject({
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'w' },
        }),
      ).toEqual([
        'Widget/w: no schema for example.com/v1 Widget: add the npm package with its models to CRD_MODEL_PACKAGES',
      ]);
    });
  });

  describe(renderKustomization.name, () => {
    let directory: string;

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'kqlgate-kustomize-'));
    });

    afterAll(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it('should render a broken manifest that the validator then rejects', async () => {
      await writeFile(join(directory, 'kustomization.yaml'), 'resources:\n  - deployment.yaml\n');
      await writeFile(
        join(directory, 'deployment.yaml'),
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: web',
          'spec:',
          '  selector: {matchLabels: {app: web}}',
          '  template:',
          '    metadata: {labels: {app: web}}',
          '    spec:',
          '      containers:',
          '        - name: web',
          '          image: web:1',
          '          readinesProbe: {httpGet: {path: /health/ready, port: 3000}}',
          '          resources: {requests: {cpu: [1]}}',
          '',
        ].join('\n'),
      );
      const [rendered] = await renderKustomization(directory);
      expect(await validateKubernetesObject(rendered)).toEqual([
        // A quantity is a string or a number.
        'Deployment/web: /spec/template/spec/containers/0/resources/requests/cpu: must be number',
        'Deployment/web: /spec/template/spec/containers/0/resources/requests/cpu: must be string',
        'Deployment/web: /spec/template/spec/containers/0/resources/requests/cpu: must match exactly one schema in "oneOf"',
        'Deployment/web: /spec/template/spec/containers/0/readinesProbe: unknown field (not in the apps/v1 Deployment schema)',
      ]);
    });

    it('should report what kubectl says about a kustomization that does not build', async () => {
      await writeFile(join(directory, 'kustomization.yaml'), 'resources:\n  - missing.yaml\n');
      const error = await renderKustomization(directory).catch((thrown: unknown) => thrown as Error);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(`kubectl kustomize ${directory} failed: `);
      expect((error as Error).message).toContain(
        `accumulating resources from 'missing.yaml': evalsymlink failure on '${directory}/missing.yaml'`,
      );
    });
  });
});
