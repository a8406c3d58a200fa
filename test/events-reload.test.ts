/**
 * A configuration reload (SIGHUP) that changes a connection's event secrets applies at once: WeCom's
 * URL verification signed with the new Token and EncodingAESKey is answered, the old pair is refused,
 * and a connection that gains `events` on reload starts taking them.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { configSchema } from '../src/config/schema.js';
import { CallbackKey, messageSignature } from '../src/wecom/index.js';
import { startTestServer, type TestServer } from './support/server.js';

const OLD = { token: 'OldEventsTok3n', encodingAESKey: 'Ab1'.repeat(14) + 'x' };
const NEW = { token: 'NewEventsTok3n', encodingAESKey: 'Zy9'.repeat(14) + 'w' };

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer((raw) => {
    (raw.connections as Record<string, unknown>[])[0]!.events = OLD;
  });
});
afterAll(() => t?.stop());

/** WeCom's GET URL verification for `connection`, signed and sealed with `secrets`. */
async function verifyUrl(connection: string, secrets: { token: string; encodingAESKey: string }) {
  const echo = `echo-${Math.random()}`;
  const echostr = new CallbackKey(secrets.encodingAESKey).seal(echo, t.config.connections[0]!.corpId);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e9));
  const query = new URLSearchParams({ msg_signature: messageSignature(secrets.token, timestamp, nonce, echostr), timestamp, nonce, echostr });
  const response = await fetch(`${t.issuer}/wecom/events/${connection}?${query}`);
  return { status: response.status, echoed: (await response.text()) === echo };
}

it('answers with the secrets in force, and with the new ones as soon as a reload brings them', async () => {
  expect(await verifyUrl('wecom', OLD)).toEqual({ status: 200, echoed: true });
  expect((await verifyUrl('wecom', NEW)).status).toBe(403);

  const raw = structuredClone(t.raw);
  const connections = raw.connections as Record<string, unknown>[];
  connections[0]!.events = NEW;
  connections.push({ ...connections[0], identifier: 'second', events: OLD });
  const { restartNeeded } = await t.server.reloadConfig(configSchema.parse(raw));
  expect(restartNeeded).toEqual([]);

  expect(await verifyUrl('wecom', NEW)).toEqual({ status: 200, echoed: true });
  expect((await verifyUrl('wecom', OLD)).status).toBe(403);
  expect(await verifyUrl('second', OLD)).toEqual({ status: 200, echoed: true });
});
