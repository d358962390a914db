import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { NestPinoLogger } from './nest-pino.logger.js';

function capture(level = 'info'): { logger: NestPinoLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: new NestPinoLogger(pino({ level }, sink)), lines };
}

describe(NestPinoLogger.name, () => {
  describe('log', () => {
    it('should write Nest context as a field and the message as msg', () => {
      const { logger, lines } = capture();
      logger.log('Mapped {/graphql, POST} route', 'RouterExplorer');
      expect(lines).toEqual([
        expect.objectContaining({
          level: 30,
          context: 'RouterExplorer',
          msg: 'Mapped {/graphql, POST} route',
        }),
      ]);
    });
  });

  describe('error', () => {
    it('should keep the stack Nest passes before the context', () => {
      const { logger, lines } = capture();
      logger.error('boom', 'Error: boom\n    at x', 'ExceptionsHandler');
      expect(lines[0]).toMatchObject({
        level: 50,
        context: 'ExceptionsHandler',
        stack: 'Error: boom\n    at x',
        msg: 'boom',
      });
    });

    it('should serialize an Error given as the message', () => {
      const { logger, lines } = capture();
      logger.error(new Error('engine down'), 'Bootstrap');
      expect(lines[0]).toMatchObject({ level: 50, context: 'Bootstrap', msg: 'engine down' });
      expect((lines[0].err as { message: string }).message).toBe('engine down');
    });
  });

  describe('debug', () => {
    it('should write nothing below the logger level', () => {
      const { logger, lines } = capture('info');
      logger.debug('noise', 'InstanceLoader');
      logger.verbose('more noise', 'InstanceLoader');
      expect(lines).toEqual([]);
    });
  });
});
