/**
 * Key rotation that an RP with a cached JWKS never notices, and back-channel logout.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { rotateKeys } from '../src/oidc/keys.js';
import { Browser, formsOf } from './support/browser.js';
import { CONFIDENTIAL, startTestServer, type TestServer } from './support/server.js';
import { discover, signInAndRedeem } from './support/flow.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
let t: TestServer;
afterEach(() => t?.stop());

describe('signing key rotation', () => {
  it('publishes the next key before signing with it, so an RP with a cached JWKS keeps verifying', async () => {
    t = await startTestServer();
    const rp = await discover(t.issuer, CONFIDENTIAL);
    const before = await signInAndRedeem(new Browser(), rp, redirectUri);
    const kidOf = (token: string) => jose.decodeProtectedHeader(token).kid;

    // step 1: publish. The RP refreshes its cache now (as RPs do periodically) and then never again.
    const store = t.server.storage.keys;
    const now = () => Math.floor(Date.now() / 1000);
    expect((await rotateKeys(store, now(), 3660)).step).toBe('published');
    await t.server.reloadKeys();
    const cached = jose.createLocalJWKSet((await (await fetch(`${t.issuer}/jwks`)).json()) as jose.JSONWebKeySet);
    const stillOld = await signInAndRedeem(new Browser(), rp, redirectUri);
    expect(kidOf(stillOld.tokens.id_token!)).toBe(kidOf(before.tokens.id_token!)); // published, not signing

    // step 2: promote. New tokens use the new key, which the cached JWKS already has.
    expect((await rotateKeys(store, now(), 3660)).step).toBe('promoted');
    await t.server.reloadKeys();
    const after = await signInAndRedeem(new Browser(), rp, redirectUri);
    expect(kidOf(after.tokens.id_token!)).not.toBe(kidOf(before.tokens.id_token!));
    for (const token of [before.tokens.id_token!, after.tokens.id_token!]) {
      await expect(jose.jwtVerify(token, cached, { issuer: t.issuer, audience: CONFIDENTIAL.client_id })).resolves.toBeDefined();
    }

    // the old key is still published (its tokens have not expired), and goes once they have
    const published = async () => ((await (await fetch(`${t.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(await published()).toContain(kidOf(before.tokens.id_token!));
    await rotateKeys(store, now() + 3661, 3660); // a later rotation (publish) retires what has expired
    await t.server.reloadKeys();
    expect(await published()).not.toContain(kidOf(before.tokens.id_token!));
    expect(await published()).toContain(kidOf(after.tokens.id_token!));
  });

  it('keeps using the rotated keys after a restart', async () => {
    t = await startTestServer();
    const store = t.server.storage.keys;
    await rotateKeys(store, Math.floor(Date.now() / 1000), 3660);
    await rotateKeys(store, Math.floor(Date.now() / 1000), 3660);
    await t.server.reloadKeys();
    const jwks = await (await fetch(`${t.issuer}/jwks`)).json();
    await t.restart();
    expect(await (await fetch(`${t.issuer}/jwks`)).json()).toEqual(jwks);
  });
});

describe('back-channel logout', () => {
  it('sends a signed logout token to the client when the session ends', async () => {
    const received: string[] = [];
    const receiver = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const backchannelUri = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel`;
    try {
      t = await startTestServer((raw) => {
        (raw.clients as Record<string, unknown>[])[0]!.backchannel_logout_uri = backchannelUri;
      });
      const rp = await discover(t.issuer, CONFIDENTIAL);
      expect(rp.serverMetadata().backchannel_logout_supported).toBe(true);
      const browser = new Browser();
      const { tokens } = await signInAndRedeem(browser, rp, redirectUri);

      const confirm = await browser.follow(
        oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: CONFIDENTIAL.post_logout_redirect_uris[0]! }).href,
      );
      const yes = formsOf(confirm)[0]!;
      await browser.submit(confirm, { ...yes, fields: { ...yes.fields, logout: 'yes' } }, (next) =>
        next.startsWith(CONFIDENTIAL.post_logout_redirect_uris[0]!),
      );

      expect(received, t.logLines.filter((line) => /back-channel|error/.test(line)).join('\n')).toHaveLength(1);
      const jwks = jose.createRemoteJWKSet(new URL(`${t.issuer}/jwks`));
      const { payload, protectedHeader } = await jose.jwtVerify(received[0]!, jwks, {
        issuer: t.issuer,
        audience: CONFIDENTIAL.client_id,
      });
      expect(protectedHeader.typ).toBe('logout+jwt');
      expect(payload.sub).toBe(tokens.claims()!.sub);
      expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
      expect(payload.nonce).toBeUndefined();
    } finally {
      receiver.close();
    }
  });
});
