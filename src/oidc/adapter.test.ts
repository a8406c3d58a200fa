import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors } from 'oidc-provider';
import { afterEach, describe, expect, it } from 'vitest';
import { openLowdbStorage, type LowdbStorage } from '../storage/lowdb/index.js';
import { createAdapterFactory } from './adapter.js';

let storage: LowdbStorage | undefined;
let dir: string;
afterEach(async () => {
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function adapters() {
  dir = mkdtempSync(join(tmpdir(), 'adapter-'));
  storage = await openLowdbStorage({ path: join(dir, 'db.json') });
  return createAdapterFactory(storage.models);
}

describe("the adapter's consume", () => {
  it('consumes a code once: of two at the same moment, the second is refused with invalid_grant', async () => {
    const codes = (await adapters())('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    const [first, second] = await Promise.allSettled([codes.consume('c1'), codes.consume('c1')]);
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: expect.any(errors.InvalidGrant) });
    expect((second as PromiseRejectedResult).reason).toMatchObject({ error: 'invalid_grant', error_detail: 'authorization code already consumed' });
  });

  it("uses oidc-provider's words for each model, and InvalidRequestUri for a pushed request", async () => {
    const factory = await adapters();
    await expect(factory('RefreshToken').consume('gone')).rejects.toMatchObject({
      error: 'invalid_grant',
      error_detail: 'refresh token already used',
    });
    await expect(factory('DeviceCode').consume('gone')).rejects.toMatchObject({
      error: 'invalid_grant',
      error_detail: 'device code already consumed',
    });
    await expect(factory('PushedAuthorizationRequest').consume('gone')).rejects.toMatchObject({ error: 'invalid_request_uri' });
  });
});
