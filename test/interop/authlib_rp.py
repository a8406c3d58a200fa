#!/usr/bin/env python3
"""A relying party built on Authlib (Debian's python3-authlib) and requests, for the interop tests.

    authlib_rp.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI

1. Discovery, then an authorization URL for the code flow with PKCE (S256), state and nonce:
   printed as one JSON line {"authorization_url": ...}.
2. Reads the callback URL (what the browser brought to REDIRECT_URI) from the next line of stdin.
3. Checks the response's iss (RFC 9207), exchanges the code (client_secret_basic + code_verifier),
   validates the ID token with the provider's JWKS (RS256 only; iss, aud, exp, iat, nonce, azp,
   at_hash via Authlib's CodeIDToken), calls userinfo, and prints one JSON line with the results.

Any failure exits non-zero with the reason on stderr.
"""
import json
import sys
from urllib.parse import parse_qs, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken


def fail(message):
    print(message, file=sys.stderr, flush=True)
    sys.exit(1)


def main():
    if len(sys.argv) != 5:
        fail(__doc__)
    issuer, client_id, client_secret, redirect_uri = sys.argv[1:5]

    metadata = requests.get(issuer + '/.well-known/openid-configuration', timeout=10).json()
    if metadata.get('issuer') != issuer:
        fail('discovery issuer %r is not %r' % (metadata.get('issuer'), issuer))
    if 'S256' not in metadata.get('code_challenge_methods_supported', []):
        fail('the provider does not offer PKCE S256')

    session = OAuth2Session(
        client_id,
        client_secret,
        scope='openid profile',
        redirect_uri=redirect_uri,
        code_challenge_method='S256',
        token_endpoint_auth_method='client_secret_basic',
    )
    code_verifier = generate_token(64)
    nonce = generate_token(32)
    url, state = session.create_authorization_url(
        metadata['authorization_endpoint'], code_verifier=code_verifier, nonce=nonce)
    print(json.dumps({'authorization_url': url}), flush=True)

    callback = sys.stdin.readline().strip()
    if not callback:
        fail('no callback URL on stdin')
    answer = parse_qs(urlparse(callback).query)
    if 'error' in answer:
        fail('authorization error: %s' % answer['error'][0])
    if metadata.get('authorization_response_iss_parameter_supported') and answer.get('iss', [None])[0] != issuer:
        fail('the authorization response iss %r is not %r' % (answer.get('iss'), issuer))

    # checks state, sends code + code_verifier + redirect_uri with HTTP Basic client authentication
    token = session.fetch_token(
        metadata['token_endpoint'], authorization_response=callback, state=state, code_verifier=code_verifier)

    jwks = requests.get(metadata['jwks_uri'], timeout=10).json()
    claims = JsonWebToken(['RS256']).decode(
        token['id_token'],
        JsonWebKey.import_key_set(jwks),
        claims_cls=CodeIDToken,
        claims_options={
            'iss': {'essential': True, 'value': issuer},
            'aud': {'essential': True, 'value': client_id},
        },
        claims_params={'nonce': nonce, 'client_id': client_id, 'access_token': token['access_token']},
    )
    claims.validate(leeway=30)

    response = session.get(metadata['userinfo_endpoint'], timeout=10)
    if response.status_code != 200:
        fail('userinfo answered %d: %s' % (response.status_code, response.text))
    userinfo = response.json()
    if userinfo.get('sub') != claims['sub']:
        fail('userinfo sub %r is not the ID token sub %r' % (userinfo.get('sub'), claims['sub']))

    print(json.dumps({
        'id_token_header': dict(claims.header),
        'id_token_claims': dict(claims),
        'token_type': token.get('token_type'),
        'userinfo': userinfo,
    }, ensure_ascii=False), flush=True)


if __name__ == '__main__':
    main()
