import { describe, expect, it } from 'vitest';
import { UNMATCHED_ROUTE, routeOf } from './route-names.js';

describe('routeOf', () => {
  it('names interaction routes by template, never by uid, and drops the query', () => {
    expect(routeOf('/interaction/AbC123', '')).toBe('/interaction/:uid');
    expect(routeOf('/interaction/AbC123/wecom/wecom/callback?code=secret&state=x', '')).toBe('/interaction/:uid/wecom/:connection/callback');
    expect(routeOf('/auth?client_id=a&state=s', '')).toBe('/auth');
    expect(routeOf('/auth/resume-uid', '')).toBe('/auth/:uid');
  });

  it('understands an issuer with a path, and serves the operational endpoints at the root and under it', () => {
    expect(routeOf('/oidc/token', '/oidc')).toBe('/token');
    expect(routeOf('/oidc/.well-known/openid-configuration', '/oidc')).toBe('/.well-known/openid-configuration');
    expect(routeOf('/token', '/oidc')).toBe(UNMATCHED_ROUTE);
    expect(routeOf('/healthz', '/oidc')).toBe('/healthz');
    expect(routeOf('/oidc/readyz', '/oidc')).toBe('/readyz');
    expect(routeOf('/WW_verify_AbC123.txt', '/oidc')).toBe('/WW_verify_*.txt');
  });

  it('puts everything else in one bucket, so made-up paths cannot grow the metrics', () => {
    expect(routeOf('/wp-login.php', '')).toBe(UNMATCHED_ROUTE);
    expect(routeOf('/interaction/', '')).toBe(UNMATCHED_ROUTE);
    expect(routeOf('/interaction/a/b/c/d/e', '')).toBe(UNMATCHED_ROUTE);
    expect(routeOf('/assets/style.css/extra', '')).toBe(UNMATCHED_ROUTE);
    expect(routeOf('/wecom-simulator/cgi-bin/gettoken?corpsecret=x', '')).toBe('/wecom-simulator/*');
  });
});
