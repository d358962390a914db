/**
 * Validates one Kubernetes object against its OpenAPI schema, offline: the built-in kinds with the validators that
 * kubernetes-models generates from Kubernetes' own OpenAPI document, KEDA's kinds with @kubernetes-models/keda's,
 * generated from KEDA's CRDs.
 *
 * Those validators check types, enums, formats and required fields, but their schemas do not forbid unknown
 * properties, so a misspelt field (`readinesProbe`) would pass — and the API server would drop it, or refuse the
 * apply with kubectl's strict field validation. The unknown fields are found by watching the validator: it reads
 * every property its schema declares (to test whether it is there) and enumerates the keys of free-form maps
 * (labels, ConfigMap data); a key of an object the validator looked into that it never read is not in the schema.
 * Objects it never looks into (free-form values) are not judged.
 */

/** Which package carries the models of an API group (the core group and the built-in ones: kubernetes-models). */
const CRD_MODEL_PACKAGES: Readonly<Record<string, string>> = {
  'keda.sh': '@kubernetes-models/keda',
};

interface AjvError {
  readonly instancePath: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

type ValidateMethod = (this: unknown) => void;

/**
 * The problems of one object, each `Kind/name: /json/pointer: message`; empty when it matches its schema.
 */
export async function validateKubernetesObject(object: unknown): Promise<string[]> {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return [`${JSON.stringify(object)}: a Kubernetes object must be a mapping`];
  }
  const { apiVersion, kind, metadata } = object as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: unknown;
  };
  const name = (metadata as { name?: unknown } | null | undefined)?.name;
  const label = `${typeof kind === 'string' ? kind : '(no kind)'}/${typeof name === 'string' ? name : '(no name)'}`;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [`${label}: apiVersion and kind must be strings`];
  }
  const validate = await schemaValidator(apiVersion, kind);
  if (typeof validate === 'string') {
    return [`${label}: ${validate}`];
  }

  const reads = new ReadTracker();
  const problems: string[] = [];
  try {
    validate.call(reads.watch(object, ''));
  } catch (error) {
    const errors = (error as { errors?: AjvError[] }).errors;
    if (!errors) {
      throw error;
    }
    problems.push(...errors.map((e) => `${label}: ${e.instancePath || '/'}: ${describe(e)}`));
  }
  problems.push(
    ...reads
      .unknownFields()
      .map((path) => `${label}: ${path}: unknown field (not in the ${apiVersion} ${kind} schema)`),
  );
  return problems;
}

async function schemaValidator(apiVersion: string, kind: string): Promise<ValidateMethod | string> {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  // Built-in groups are the core group (""), the unqualified ones (apps, policy…) and *.k8s.io.
  const builtIn = !group.includes('.') || group.endsWith('.k8s.io');
  const modelPackage = builtIn ? 'kubernetes-models' : CRD_MODEL_PACKAGES[group];
  if (!modelPackage) {
    return `no schema for ${apiVersion} ${kind}: add the npm package with its models to CRD_MODEL_PACKAGES`;
  }
  const specifier = `${modelPackage}/${apiVersion}/${kind}`;
  let module: Record<string, unknown>;
  try {
    module = (await import(specifier)) as Record<string, unknown>;
  } catch {
    return `no schema for ${apiVersion} ${kind} (${specifier} does not exist): a wrong apiVersion or kind`;
  }
  const model = module[kind] as { prototype?: { validate?: ValidateMethod } } | undefined;
  const validate = model?.prototype?.validate;
  return typeof validate === 'function'
    ? validate
    : `no schema for ${apiVersion} ${kind} (${specifier} exports no ${kind} model)`;
}

function describe(error: AjvError): string {
  const allowed = error.params?.allowedValues;
  return Array.isArray(allowed)
    ? `${error.message ?? 'invalid'}: ${allowed.map((value) => JSON.stringify(value)).join(', ')}`
    : (error.message ?? 'invalid');
}

/** Wraps an object tree in proxies that record which keys of which objects the validator reads. */
class ReadTracker {
  private readonly watched = new Map<object, { path: string; read: Set<string>; lookedInto: boolean }>();
  private readonly proxies = new WeakMap<object, object>();

  watch(value: unknown, path: string): unknown {
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const existing = this.proxies.get(value);
    if (existing) {
      return existing;
    }
    const record = { path, read: new Set<string>(), lookedInto: false };
    this.watched.set(value, record);
    const isArray = Array.isArray(value);
    const proxy = new Proxy(value, {
      get: (target, key, receiver) => {
        const result: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== 'string') {
          return result;
        }
        record.lookedInto = true;
        record.read.add(key);
        if (isArray && !/^\d+$/.test(key)) {
          return result;
        }
        return Object.prototype.hasOwnProperty.call(target, key)
          ? this.watch(result, `${path}/${key}`)
          : result;
      },
      // A validator enumerating keys treats the object as a map (additionalProperties): every key is accounted for.
      ownKeys: (target) => {
        record.lookedInto = true;
        for (const key of Reflect.ownKeys(target)) {
          if (typeof key === 'string') {
            record.read.add(key);
          }
        }
        return Reflect.ownKeys(target);
      },
    });
    this.proxies.set(value, proxy);
    return proxy;
  }

  unknownFields(): string[] {
    const unknown: string[] = [];
    for (const [target, record] of this.watched) {
      if (Array.isArray(target) || !record.lookedInto) {
        continue;
      }
      for (const key of Object.keys(target)) {
        if (!record.read.has(key)) {
          unknown.push(`${record.path}/${key}`);
        }
      }
    }
    return unknown;
  }
}
