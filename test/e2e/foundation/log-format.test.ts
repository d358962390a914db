import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const run = promisify(execFile);

/** A pretty line: `[HH:MM:ss.mmm] LEVEL: component: message {"field":…}`. */
const PRETTY_LINE = /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): /;

interface Run {
  code: number | null;
  stdout: string;
}

/**
 * The real process (`node dist/src/main.js`, engine and broker in worker threads, as `npm start` runs it) with
 * stdout a pipe, started, asked for /health/live, stopped with SIGTERM; everything it wrote on stdout.
 */
async function startAndStop(dataDir: string, env: Record<string, string>): Promise<Run> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'dist', 'src', 'main.js')], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      DATA_DIR: dataDir,
      DEMO_RATE: '0',
      LOG_LEVEL: 'info',
      KUSTO_EMBEDDED_PORT: '0',
      SERVICEBUS_EMBEDDED_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/live`)).ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`kqlgate did not start:\n${(stdout + stderr).slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGTERM');
  return { code: await exited, stdout };
}

describe('LOG_FORMAT (real process)', () => {
  let dir: string;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tempDir('log-format');
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('should write JSON lines with LOG_FORMAT=json, from the main thread and the engine and broker threads', async () => {
    const { code, stdout } = await startAndStop(join(dir, 'json'), { LOG_FORMAT: 'json' });
    expect(code).toBe(0);
    // The lines that are not the start-up banner's (plain text meant for `npm start` in a terminal).
    const lines = stdout.split('\n').filter((line) => line.startsWith('{'));
    const records = lines.map(
      (line) => JSON.parse(line) as { level: number; component?: string; msg: string },
    );
    expect(records.map((r) => r.component)).toEqual(
      expect.arrayContaining(['runtime', 'kusto-emulator', 'servicebus-emulator']),
    );
    expect(records.find((r) => r.msg.startsWith('kqlgate listening on http://127.0.0.1:'))).toMatchObject({
      level: 30,
      component: 'runtime',
    });
    expect(stdout.split('\n').filter((line) => PRETTY_LINE.test(line))).toEqual([]);
  });

  it('should write pretty lines with LOG_FORMAT=pretty, from every thread alike', async () => {
    const { code, stdout } = await startAndStop(join(dir, 'pretty'), { LOG_FORMAT: 'pretty' });
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: runtime: kqlgate listening on http:\/\/127\.0\.0\.1:\d+ after [\d.]+ s \{"url":"http:\/\/127\.0\.0\.1:\d+","sinceStartS":[\d.]+\}$/,
        ),
        expect.stringMatching(/^\[[\d:.]+\] INFO: kusto-emulator: kusto emulator started \{"url":/),
        expect.stringMatching(/^\[[\d:.]+\] INFO: servicebus-emulator: servicebus emulator listening \{/),
        expect.stringMatching(/^\[[\d:.]+\] INFO: NestFactory: Starting Nest application\.\.\.$/),
        expect.stringMatching(/^\[[\d:.]+\] INFO: runtime: shutdown complete$/),
      ]),
    );
  });

  it('should load pino-pretty only when pretty lines are chosen', async () => {
    // A process that logs one line through the root logger and reports which of the two it loaded.
    const probe = `
      import { createRequire } from 'node:module';
      import { sep } from 'node:path';
      const { createLogger } = await import(${JSON.stringify(join(repoRoot, 'dist', 'src', 'common', 'logging', 'logger.js'))});
      createLogger('probe').info('hello');
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      const has = (name) => loaded.some((path) => path.includes(sep + 'node_modules' + sep + name + sep));
      process.stderr.write(JSON.stringify({ pino: has('pino'), pinoPretty: has('pino-pretty') }));
    `;
    const probeRun = async (format: string) => {
      const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', probe], {
        env: { PATH: process.env.PATH, LOG_FORMAT: format },
      });
      return { stdout, loaded: JSON.parse(stderr) as { pino: boolean; pinoPretty: boolean } };
    };
    const json = await probeRun('json');
    expect(json.loaded).toEqual({ pino: true, pinoPretty: false });
    expect(JSON.parse(json.stdout)).toMatchObject({ level: 30, component: 'probe', msg: 'hello' });
    const pretty = await probeRun('pretty');
    expect(pretty.loaded).toEqual({ pino: true, pinoPretty: true });
    expect(pretty.stdout).toMatch(/^\[[\d:.]+\] INFO: probe: hello\n$/);
  });

  it('should default to pretty lines on a terminal and to JSON lines on a pipe', async () => {
    const probe = join(dir, 'probe.mjs');
    await writeFile(
      probe,
      `const { createLogger } = await import(${JSON.stringify(join(repoRoot, 'dist', 'src', 'common', 'logging', 'logger.js'))});\n` +
        `createLogger('probe').info('hello');\n`,
    );
    // No TERM: the pretty stream would colour its output on a terminal it knows.
    const env = { PATH: process.env.PATH };
    const piped = await run(process.execPath, [probe], { env });
    expect(JSON.parse(piped.stdout)).toMatchObject({ level: 30, component: 'probe', msg: 'hello' });
    // util-linux `script` runs the probe with a pseudo-terminal as its stdout.
    const terminal = await run('script', ['-q', '-e', '-c', `${process.execPath} ${probe}`, '/dev/null'], {
      env,
    });
    expect(terminal.stdout).toMatch(/^\[[\d:.]+\] INFO: probe: hello\r?\n$/);
  });
});
