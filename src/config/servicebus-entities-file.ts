/**
 * The entities kqlgate's embedded broker starts with: config/servicebus-emulator.json (the topic `oltp-events` with
 * its `analytics` and `operational` subscriptions), in the format of Microsoft's Service Bus emulator Config.json.
 * `npm start` and `kqlgate emulator servicebus` without `--config` use it.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** config/servicebus-emulator.json of the kqlgate package: found upwards from here (from src/ and dist/src/). */
export function servicebusEntitiesFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'config', 'servicebus-emulator.json');
    if (existsSync(candidate)) {
      return candidate;
    }
    dir = dirname(dir);
  }
  return resolve('config', 'servicebus-emulator.json');
}
