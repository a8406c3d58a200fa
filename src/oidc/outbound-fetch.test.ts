import { afterEach, expect, it, vi } from 'vitest';
import { outboundFetch } from './outbound-fetch.js';

afterEach(() => vi.unstubAllGlobals());

it("lifts oidc-provider's SSRF guard only for origins an administrator configured on a client", async () => {
  const seen: { url: string; dispatcher: unknown }[] = [];
  vi.stubGlobal('fetch', async (url: string, options: { dispatcher?: unknown }) => {
    seen.push({ url: String(url), dispatcher: options.dispatcher });
    return new Response('');
  });
  const fetch = outboundFetch([{ client_id: 'grafana', backchannel_logout_uri: 'http://10.0.0.5:3000/logout' }]);
  const guard = { name: 'ssrf-guard' };
  await fetch('http://10.0.0.5:3000/logout', { dispatcher: guard });
  await fetch('http://10.0.0.6:3000/anything', { dispatcher: guard });
  expect(seen).toEqual([
    { url: 'http://10.0.0.5:3000/logout', dispatcher: undefined },
    { url: 'http://10.0.0.6:3000/anything', dispatcher: guard },
  ]);
});
