import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../observability/log.js';
import { WeComError } from './errors.js';
import { GettokenBreaker } from './gettoken-breaker.js';

const app = { corpId: 'ww0123456789', agentId: '1000002', secret: 'a-wrong-secret-0123456789abcdef012' };

function setup() {
  let now = 1_000_000;
  const log = createMemoryLogger();
  const breaker = new GettokenBreaker({ log, initialMs: 1_000, maxMs: 4_000, now: () => now });
  return { breaker, log, advance: (ms: number) => (now += ms) };
}

describe('the gettoken breaker', () => {
  it('holds a wrong secret back for a window that doubles on repeats and stops at the cap', () => {
    const { breaker, advance } = setup();
    const error = new WeComError(40001, 'gettoken');
    const windows: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      breaker.failed(app, error);
      let open = 0;
      while (breaker.blocked(app)) {
        expect(breaker.blocked(app)).toBe(error);
        advance(250);
        open += 250;
      }
      windows.push(open);
    }
    expect(windows).toEqual([1_000, 2_000, 4_000, 4_000]);
  });

  it.each([40001, 40013, 40091, 60020, 45009])('opens on %i', (errcode) => {
    const { breaker } = setup();
    breaker.failed(app, new WeComError(errcode, 'gettoken'));
    expect(breaker.blocked(app)?.errcode).toBe(errcode);
  });

  it('ignores answers that asking again may fix (busy, token)', () => {
    const { breaker } = setup();
    breaker.failed(app, new WeComError(-1, 'gettoken'));
    breaker.failed(app, new WeComError(42001, 'gettoken'));
    expect(breaker.blocked(app)).toBeUndefined();
  });

  it('never holds back a different (corrected) secret, and closes on success', () => {
    const { breaker, log } = setup();
    breaker.failed(app, new WeComError(40001, 'gettoken'));
    expect(breaker.blocked({ ...app, secret: 'the-corrected-secret-0123456789abcd' })).toBeUndefined();
    breaker.succeeded(app);
    expect(breaker.blocked(app)).toBeUndefined();
    expect(log.lines.some((line) => line.includes('"errcode":40001') && line.includes('back-off'))).toBe(true);
    expect(log.lines.join('\n')).not.toContain(app.secret);
  });
});
