import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { EnvConfig } from './env.dto.js';

/** Thrown when the configuration cannot start kqlgate; `problems` holds one actionable line per bad value. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** The variable that names an optional config file (JSON or YAML, keys are the variable names). */
export const CONFIG_FILE_VARIABLE = 'KQLGATE_CONFIG';

/**
 * Settings only the environment may set, with the reason: they are read before the config file is (LOG_FORMAT
 * picks the log stream of every thread, some started before the configuration is loaded).
 */
const ENVIRONMENT_ONLY: Readonly<Record<string, string>> = {
  LOG_FORMAT: 'logging starts before the config file is read',
  ...Object.fromEntries(
    [
      'OTEL_SDK_DISABLED',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_SERVICE_NAME',
      'OTEL_TRACES_SAMPLER',
      'OTEL_METRIC_EXPORT_INTERVAL',
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
    ].map((key) => [key, 'the OpenTelemetry SDK reads it from the environment']),
  ),
};

/** Every variable EnvConfig declares, in declaration order. */
export function configKeys(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(EnvConfig, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

/**
 * Builds the validated configuration from an optional config file and the environment (the environment wins),
 * or throws ConfigValidationError listing every bad value — start-up stops before anything listens.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const problems: string[] = [];
  const fromFile = readConfigFile(env[CONFIG_FILE_VARIABLE], problems);
  const config = new EnvConfig();
  const target = config as unknown as Record<string, unknown>;

  for (const key of configKeys()) {
    const raw = env[key] !== undefined && env[key] !== '' ? env[key] : fileValue(fromFile, key);
    if (raw === undefined || raw === null || raw === '') {
      continue;
    }
    target[key] = coerce(key, raw);
  }
  for (const key of Object.keys(fromFile)) {
    if (key in ENVIRONMENT_ONLY) {
      problems.push(
        `${key} in ${env[CONFIG_FILE_VARIABLE]}: set it in the environment instead (${ENVIRONMENT_ONLY[key]})`,
      );
    } else if (!configKeys().includes(key)) {
      problems.push(
        `${key} in ${env[CONFIG_FILE_VARIABLE]}: unknown setting (known: ${configKeys().join(', ')})`,
      );
    }
  }

  const errors = validateSync(config, { forbidUnknownValues: false });
  problems.push(...errors.flatMap((error) => describe(error)));
  if (problems.length > 0) {
    throw new ConfigValidationError(problems);
  }
  return Object.freeze(config);
}

function fileValue(fromFile: Record<string, unknown>, key: string): unknown {
  return key in ENVIRONMENT_ONLY ? undefined : fromFile[key];
}

function readConfigFile(path: string | undefined, problems: string[]): Record<string, unknown> {
  if (!path) {
    return {};
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(
      `${CONFIG_FILE_VARIABLE}=${JSON.stringify(path)}: cannot read the config file (${(error as Error).message})`,
    );
    return {};
  }
  try {
    const parsed: unknown = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(
        `${CONFIG_FILE_VARIABLE}=${JSON.stringify(path)}: must hold an object of VARIABLE: value pairs`,
      );
      return {};
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    problems.push(
      `${CONFIG_FILE_VARIABLE}=${JSON.stringify(path)}: not valid JSON/YAML (${(error as Error).message})`,
    );
    return {};
  }
}

/** Numbers are declared as `number` properties (design-time type emitted by the compiler); convert strictly. */
function coerce(key: string, raw: unknown): unknown {
  const designType: unknown = Reflect.getMetadata('design:type', EnvConfig.prototype, key);
  if (designType === Number && typeof raw === 'string') {
    return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  }
  if (designType === String && typeof raw !== 'string') {
    return String(raw);
  }
  return raw;
}

function describe(error: ValidationError): string[] {
  const messages = [...new Set(Object.values(error.constraints ?? {}))];
  return messages.map((message) => `${error.property}=${JSON.stringify(error.value)}: ${message}`);
}
