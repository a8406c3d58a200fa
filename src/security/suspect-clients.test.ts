import { describe, expect, it } from 'vitest';
import { SuspectClients } from './suspect-clients.js';

describe('suspect client_ids', () => {
  it('a client_id is suspect from its failure until the remembered time has passed, then forgotten', async () => {
    const suspects = new SuspectClients(80);
    expect(suspects.has('rp')).toBe(false);
    suspects.failed('rp');
    expect(suspects.has('rp')).toBe(true);
    expect(suspects.has('other')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(suspects.has('rp')).toBe(false);
  });

  it('a later failure starts the remembered time again', async () => {
    const suspects = new SuspectClients(100);
    suspects.failed('rp');
    await new Promise((resolve) => setTimeout(resolve, 60));
    suspects.failed('rp');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(suspects.has('rp')).toBe(true);
  });
});
