import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHQL_IDE_CSP } from '../../../src/modules/explorer/graphql-ide.routes.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';

/** What a browser sends when it navigates to a page. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** GET /graphql as Apollo answers it without the IDE: a GET query for JSON, and a browser's navigation. */
async function expectApolloGets(url: string): Promise<void> {
  const query = await fetch(`${url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
    headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
  });
  expect([query.status, await query.json()]).toEqual([200, { data: { __typename: 'Query' } }]);
}

/** The graphql-ws handshake on /graphql, answered with the subprotocol: the upgrade never reaches the IDE hook. */
function upgradeProtocol(url: string): Promise<string> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      resolve(socket.protocol);
      socket.close();
    });
    socket.once('error', reject);
  });
}

describe('GraphQL IDE at GET /graphql (GRAPHQL_IDE unset: on outside production)', () => {
  let instance: KqlgateInstance;

  beforeAll(async () => {
    instance = await startKqlgateInstance();
  });
  afterAll(async () => {
    await instance?.stop();
  });

  it('should serve the IDE page to a browser with its CSP, and its bundled assets', async () => {
    const response = await fetch(`${instance.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(GRAPHQL_IDE_CSP);
    const html = await response.text();
    expect(html).toContain('<title>kqlgate GraphQL IDE</title>');
    // Under that policy an inline <script> or <style> would not run: there must be none.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|<style|\son[a-z]+=|\sstyle=|javascript:/i);
    const referenced = [...html.matchAll(/<(?:script|link)\s[^>]*(?:src|href)="([^"]+)"/g)].map(
      (match) => match[1],
    );
    expect(referenced.some((path) => path.endsWith('.js'))).toBe(true);
    expect(referenced.some((path) => path.endsWith('.css'))).toBe(true);
    for (const path of referenced) {
      // Same origin only: no CDN.
      expect(path).toMatch(/^\/ui\/assets\/[\w.-]+\.(js|css)$/);
      const asset = await fetch(`${instance.url}${path}`);
      expect([path, asset.status]).toEqual([path, 200]);
    }
  });

  it('should leave every other GET /graphql and the WebSocket upgrade to Apollo and graphql-ws', async () => {
    await expectApolloGets(instance.url);
    expect(await upgradeProtocol(instance.url)).toBe('graphql-transport-ws');
  });
});

describe('GraphQL IDE turned off (GRAPHQL_IDE=false)', () => {
  let instance: KqlgateInstance;

  beforeAll(async () => {
    instance = await startKqlgateInstance({ GRAPHQL_IDE: 'false' });
  });
  afterAll(async () => {
    await instance?.stop();
  });

  it('should answer a browser at GET /graphql as Apollo does, with no page', async () => {
    const response = await fetch(`${instance.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).not.toContain('text/html');
    expect(await response.text()).not.toContain('GraphQL IDE');
    await expectApolloGets(instance.url);
    expect(await upgradeProtocol(instance.url)).toBe('graphql-transport-ws');
  });
});
