/**
 * The OpenID Foundation's "oidcc-config-certification-test-plan" (Config OP). The plan has one
 * module, oidcc-discovery-endpoint-verification; its conditions are checked here one by one.
 *
 * One deliberate difference: the suite requires every endpoint (and the discovery URL) to be https.
 * The test servers listen on plain http on the loopback interface, so http is accepted there and
 * nowhere else; a real deployment's issuer is https (README: behind a TLS-terminating proxy), and the
 * endpoints follow the issuer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHttpsOrLoopback, startConformanceServer, type Op } from './harness.js';

let op: Op;
beforeAll(async () => {
  op = await startConformanceServer();
});
afterAll(() => op?.t.stop());

const OIDC_RESPONSE_TYPES = ['code', 'code id_token', 'id_token', 'token id_token', 'code id_token token', 'code token'];
const sameResponseType = (a: string, b: string) =>
  new Set(a.split(' ')).size === new Set(b.split(' ')).size && a.split(' ').every((part) => b.split(' ').includes(part));
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('oidcc-config-certification-test-plan', () => {
  it('oidcc-discovery-endpoint-verification', async () => {
    // GetDynamicServerConfiguration, EnsureDiscoveryEndpointResponseStatusCodeIs200, CheckDiscoveryEndpointReturnedJsonContentType
    const response = await fetch(op.discoveryUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const server = (await response.json()) as Record<string, unknown>;

    // OIDCCCheckDiscEndpointResponseTypesSupported: at least one OpenID Connect response type
    const responseTypes = server.response_types_supported as string[];
    expect(Array.isArray(responseTypes)).toBe(true);
    expect(responseTypes.some((type) => OIDC_RESPONSE_TYPES.some((known) => sameResponseType(type, known)))).toBe(true);
    expect(responseTypes).toContain('code');

    // CheckDiscEndpointDiscoveryUrl, CheckDiscEndpointIssuer, CheckDiscEndpointIssuerIsValidUrl
    expect(op.discoveryUrl.endsWith('/.well-known/openid-configuration')).toBe(true);
    expectHttpsOrLoopback(op.discoveryUrl, 'discovery URL');
    expect(server.issuer).toBe(op.issuer);
    expect(`${server.issuer as string}/.well-known/openid-configuration`).toBe(op.discoveryUrl);
    expectHttpsOrLoopback(server.issuer, 'issuer');
    expect(new URL(server.issuer as string).search).toBe('');

    // CheckDiscEndpointSubjectTypesSupported
    const subjectTypes = server.subject_types_supported as string[];
    expect(Array.isArray(subjectTypes) && subjectTypes.length > 0).toBe(true);
    for (const type of subjectTypes) expect(['public', 'pairwise']).toContain(type);

    // OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported: RS256 is mandatory to implement
    expect(server.id_token_signing_alg_values_supported).toContain('RS256');
    // OIDCCCheckDiscEndpointUserinfoSigningAlgValuesSupported (only when present)
    if (server.userinfo_signing_alg_values_supported !== undefined) {
      expect(Array.isArray(server.userinfo_signing_alg_values_supported)).toBe(true);
    }

    // CheckDiscEndpointAuthorizationEndpoint / TokenEndpoint / UserinfoEndpoint / RegistrationEndpoint
    expectHttpsOrLoopback(server.authorization_endpoint, 'authorization_endpoint');
    expectHttpsOrLoopback(server.token_endpoint, 'token_endpoint');
    expectHttpsOrLoopback(server.userinfo_endpoint, 'userinfo_endpoint');
    // no dynamic registration: clients are configured by the operator
    expect(server).not.toHaveProperty('registration_endpoint');

    // CheckJwksUri, FetchServerKeys, ValidateServerJWKs, EnsureServerJwksDoesNotContainPrivateOrSymmetricKeys
    expectHttpsOrLoopback(server.jwks_uri, 'jwks_uri');
    const jwksResponse = await fetch(server.jwks_uri as string);
    expect(jwksResponse.status).toBe(200);
    expect(jwksResponse.headers.get('content-type')).toMatch(/^application\/(jwk-set\+)?json/);
    const jwks = (await jwksResponse.json()) as { keys: Record<string, unknown>[] };
    expect(Array.isArray(jwks.keys) && jwks.keys.length > 0).toBe(true);
    const kids = new Set<unknown>();
    for (const key of jwks.keys) {
      expect(['RSA', 'EC', 'OKP']).toContain(key.kty);
      if (key.kty === 'RSA') for (const member of ['n', 'e']) expect(key[member]).toMatch(BASE64URL);
      if (key.kty === 'EC') for (const member of ['x', 'y']) expect(key[member]).toMatch(BASE64URL);
      for (const member of PRIVATE_JWK_MEMBERS) expect(key, `no private member "${member}"`).not.toHaveProperty(member);
      // CheckForKeyIdInServerJWKs, CheckDistinctKeyIdValueInServerJWKs; and each key says what it is for
      expect(typeof key.kid).toBe('string');
      kids.add(key.kid);
      expect(key.use).toBe('sig');
      expect(server.id_token_signing_alg_values_supported).toContain(key.alg);
    }
    expect(kids.size).toBe(jwks.keys.length);
    expect(jwks.keys.some((key) => key.kty === 'RSA' && key.alg === 'RS256')).toBe(true);

    // CheckDiscEndpointRequestParameterSupported / RequestUriParameterSupported (informational):
    // request objects are not supported, and discovery says so
    expect(server.request_parameter_supported ?? false).toBe(false);
    expect(server.request_uri_parameter_supported).toBe(false);
    expect(server).not.toHaveProperty('request_object_signing_alg_values_supported');

    // CheckDiscEndpointClaimsParameterSupported (informational), OIDCCCheckDiscEndpointClaimsSupported
    expect(server.claims_parameter_supported).toBe(true);
    const claims = server.claims_supported as string[];
    expect(Array.isArray(claims)).toBe(true);
    for (const claim of ['sub', 'name', 'preferred_username', 'email', 'email_verified', 'phone_number', 'wecom_userid', 'groups']) {
      expect(claims).toContain(claim);
    }
    for (const claim of claims) expect(typeof claim).toBe('string');

    // OIDCCCheckDiscEndpointGrantTypesSupported: a non-empty array when present
    const grantTypes = server.grant_types_supported as string[];
    expect(Array.isArray(grantTypes) && grantTypes.length > 0).toBe(true);
    expect(grantTypes).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));

    // CheckDiscEndpointScopesSupportedContainsOpenId, CheckDiscEndpointScopesSupportedSyntax (RFC 6749 3.3)
    const scopes = server.scopes_supported as string[];
    expect(scopes).toContain('openid');
    for (const scope of scopes) expect(scope).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/);
    expect(scopes).toEqual(['openid', 'offline_access', 'profile', 'email', 'phone', 'wecom']);

    // CheckDiscEndpointLocalesSyntax / CanonicalCasing (only when present)
    for (const name of ['ui_locales_supported', 'claims_locales_supported']) {
      if (server[name] !== undefined) for (const tag of server[name] as string[]) expect(tag).toMatch(/^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$/);
    }

    // CheckDiscEndpointAllEndpointsAreHttps: every *_endpoint
    const endpoints = Object.keys(server).filter((key) => key.endsWith('_endpoint'));
    expect(endpoints.length).toBeGreaterThanOrEqual(6);
    for (const name of endpoints) {
      expectHttpsOrLoopback(server[name], name);
      expect((server[name] as string).startsWith(`${op.issuer}/`), `${name} is under the issuer`).toBe(true);
    }

    // EnsureServerConfigurationCodeChallengeMethodsSupportedIsAnArray (RFC 8414 2, RFC 7636 4.3)
    expect(server.code_challenge_methods_supported).toEqual(['S256']);
  });
});
