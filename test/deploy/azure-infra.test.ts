import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseBicep, readBicepFile, stringLiteral, type BicepFile, type BicepObject } from './bicep-file.js';
import { unknownVariables } from './deployment-environment.js';

/*
 * Static checks of infra/ and azure.yaml. No Bicep compiler can run here (see bicep-file.ts), so nothing below
 * proves that Azure accepts the template: it proves the files parse, and that the names which must agree between
 * azure.yaml, main.parameters.json, main.bicep, its modules and kqlgate's configuration do agree.
 */

const INFRA = 'infra';

interface AzureYaml {
  name: string;
  infra: { provider: string; path: string; module: string };
  services: Record<
    string,
    { project: string; host: string; language: string; docker?: Record<string, unknown> }
  >;
}

function bicepFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? bicepFiles(join(directory, entry.name))
      : entry.name.endsWith('.bicep')
        ? [join(directory, entry.name)]
        : [],
  );
}

/** Object literals whose `key` property is the string literal `value`. */
function objectsWith(files: Iterable<BicepFile>, key: string, value?: string): BicepObject[] {
  return [...files].flatMap((file) =>
    file.objects.filter((object) => {
      const literal = stringLiteral(object.get(key));
      return literal !== undefined && (value === undefined || literal === value);
    }),
  );
}

describe('infra (Bicep for Azure Container Apps)', () => {
  const files = new Map<string, BicepFile>();
  let main: BicepFile;

  beforeAll(async () => {
    for (const path of bicepFiles(INFRA)) {
      files.set(path, await readBicepFile(path));
    }
    main = files.get(join(INFRA, 'main.bicep'))!;
  });

  it('should parse every Bicep file without a syntax error', () => {
    expect([...files.keys()].sort()).toContain(join(INFRA, 'main.bicep'));
    expect([...files.values()].flatMap((file) => file.syntaxErrors)).toEqual([]);
  });

  it('should set in main.parameters.json only parameters of main.bicep, and every one it needs', () => {
    const parameters = (
      JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')) as {
        parameters: Record<string, { value: unknown }>;
      }
    ).parameters;
    const declared = main.parameters.map((p) => p.name);
    expect(Object.keys(parameters).filter((name) => !declared.includes(name))).toEqual([]);
    expect(
      main.parameters.filter((p) => !p.hasDefault && !(p.name in parameters)).map((p) => p.name),
    ).toEqual([]);
  });

  it('should pass each module only parameters it declares, and all those without a default', () => {
    const problems: string[] = [];
    for (const file of files.values()) {
      for (const use of file.modules) {
        const path = join(dirname(file.path), use.path);
        const module = files.get(path);
        if (!module) {
          problems.push(`${file.path}:${use.line}: module ${use.symbol}: no file ${path}`);
          continue;
        }
        const declared = module.parameters.map((p) => p.name);
        for (const name of use.params.filter((param) => !declared.includes(param))) {
          problems.push(`${file.path}:${use.line}: module ${use.symbol}: ${path} has no parameter ${name}`);
        }
        for (const p of module.parameters.filter((p) => !p.hasDefault && !use.params.includes(p.name))) {
          problems.push(`${file.path}:${use.line}: module ${use.symbol}: parameter ${p.name} is not passed`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('should use one GA API version per resource type', () => {
    const versions = new Map<string, Set<string>>();
    for (const file of files.values()) {
      for (const resource of file.resourceTypes) {
        expect(resource.apiVersion, `${file.path}:${resource.line}`).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        versions.set(resource.type, new Set([...(versions.get(resource.type) ?? []), resource.apiVersion]));
      }
    }
    expect([...versions].filter(([, used]) => used.size > 1)).toEqual([]);
    expect([...versions.keys()].sort()).toEqual([
      'Microsoft.App/containerApps',
      'Microsoft.App/managedEnvironments',
      'Microsoft.Authorization/roleAssignments',
      'Microsoft.Cache/redisEnterprise',
      'Microsoft.Cache/redisEnterprise/databases',
      'Microsoft.ContainerRegistry/registries',
      'Microsoft.Insights/components',
      'Microsoft.Kusto/clusters',
      'Microsoft.Kusto/clusters/databases/principalAssignments',
      'Microsoft.ManagedIdentity/userAssignedIdentities',
      'Microsoft.OperationalInsights/workspaces',
      'Microsoft.Resources/resourceGroups',
      'Microsoft.ServiceBus/namespaces',
    ]);
  });

  it('should set only environment variables kqlgate reads, and KQLGATE_ROLE per app', () => {
    // Container Apps env entries are { name, value } or { name, secretRef } with an upper-case name (secret names
    // are lower-case, so the secrets list does not match).
    const names = [...objectsWith(files.values(), 'name')]
      .map((object) => stringLiteral(object.get('name'))!)
      .filter((name) => /^[A-Z][A-Z0-9_]*$/.test(name));
    expect(names).toEqual(expect.arrayContaining(['KQLGATE_ROLE', 'AZURE_CLIENT_ID', 'KUSTO_CLUSTER_URL']));
    expect(unknownVariables(names)).toEqual([]);
    expect(
      objectsWith([main], 'name', 'KQLGATE_ROLE')
        .map((object) => stringLiteral(object.get('value')))
        .sort(),
    ).toEqual(['gateway', 'ingestion']);
  });

  it('should probe /health/live and /health/ready on the kqlgate port', () => {
    const probes = objectsWith(files.values(), 'type').filter((object) =>
      ['Startup', 'Liveness', 'Readiness'].includes(stringLiteral(object.get('type'))!),
    );
    const paths = probes.map((probe) => {
      const httpGet = probe.get('httpGet')!;
      const path = httpGet.namedChildren
        .filter((property) => property.namedChildren[0]?.text === 'path')
        .map((property) => stringLiteral(property.namedChildren[1]));
      return `${stringLiteral(probe.get('type'))} ${path.join()}`;
    });
    expect(paths).toEqual(['Startup /health/live', 'Liveness /health/live', 'Readiness /health/ready']);
  });

  it('should scale ingestion on the subscription backlog with a managed identity, the gateway on HTTP', () => {
    const [serviceBus] = objectsWith(files.values(), 'type', 'azure-servicebus');
    expect(serviceBus.get('identity')?.text).toBe('identities.outputs.scalerIdentityId');
    const metadata = serviceBus.get('metadata')!;
    expect(metadata.namedChildren.map((property) => property.namedChildren[0].text)).toEqual([
      'namespace',
      'topicName',
      'subscriptionName',
      'messageCount',
    ]);
    expect(
      main.objects.some((object) => object.has('http') && object.get('name')?.text === "'http-concurrency'"),
    ).toBe(true);
  });

  describe('azure.yaml', () => {
    const azureYaml = parseYaml(readFileSync('azure.yaml', 'utf8')) as AzureYaml;

    it('should provision infra/main.bicep and deploy both roles as container apps of one image', () => {
      expect(azureYaml.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(azureYaml.infra).toEqual({ provider: 'bicep', path: 'infra', module: 'main' });
      expect(existsSync(join(azureYaml.infra.path, `${azureYaml.infra.module}.bicep`))).toBe(true);
      expect(Object.keys(azureYaml.services).sort()).toEqual(['gateway', 'ingestion']);
      const { gateway, ingestion } = azureYaml.services;
      expect(gateway).toMatchObject({ project: '.', host: 'containerapp' });
      expect(ingestion).toEqual(gateway);
    });

    it.each(['gateway', 'ingestion'])(
      'should find the %s container app by its azd-service-name tag and pass it the image azd built',
      (service) => {
        expect(objectsWith([main], 'azd-service-name', service)).toHaveLength(1);
        const parameters = readFileSync(join(INFRA, 'main.parameters.json'), 'utf8');
        expect(parameters).toContain(
          `"${service}ImageName": { "value": "\${SERVICE_${service.toUpperCase()}_IMAGE_NAME=}" }`,
        );
      },
    );

    it('should get the registry to push to from an output of main.bicep', () => {
      expect(main.outputs).toContain('AZURE_CONTAINER_REGISTRY_ENDPOINT');
    });
  });

  describe(parseBicep.name, () => {
    it('should report each syntax error with its file, line and column', async () => {
      const file = await parseBicep(
        'broken.bicep',
        "param name string\nresource x 'Microsoft.App/containerApps@2025-01-01' = {\n  name:\n}\noutput o string = 'a' 'b'\n",
      );
      expect(file.syntaxErrors).toEqual([
        'broken.bicep:3:8: missing identifier',
        'broken.bicep:5:19: unexpected "\'a\'"',
      ]);
    });

    it('should read parameters, modules with their parameters, resource types and outputs', async () => {
      const file = await parseBicep(
        'main.bicep',
        [
          "param a string = 'x'",
          'param b int',
          "resource r 'Microsoft.Web/sites@2024-04-01' = {",
          "  name: 'r'",
          "  resource child 'config' = {",
          "    name: 'web'",
          '  }',
          '}',
          "module m 'modules/m.bicep' = if (b > 0) {",
          "  name: 'm'",
          '  params: {',
          '    first: a',
          "    'second': b",
          '  }',
          '}',
          'output out string = a',
        ].join('\n'),
      );
      expect(file.syntaxErrors).toEqual([]);
      expect(file.parameters).toEqual([
        { name: 'a', hasDefault: true },
        { name: 'b', hasDefault: false },
      ]);
      expect(file.modules).toEqual([
        { symbol: 'm', path: 'modules/m.bicep', params: ['first', 'second'], line: 9 },
      ]);
      expect(file.resourceTypes).toEqual([
        { type: 'Microsoft.Web/sites', apiVersion: '2024-04-01', line: 3 },
      ]);
      expect(file.outputs).toEqual(['out']);
    });
  });
});
