# frozen_string_literal: true

# GitLab's way of signing in with OpenID Connect, as a relying party we did not write: OmniAuth with
# gitlab-omniauth-openid-connect (Debian's ruby-omniauth-openid-connect) on the openid_connect gem
# (ruby-openid-connect), mounted in a Rack app the way GitLab mounts it (/users/auth/openid_connect),
# with discovery, client_secret_basic and the strategy's own ID token verification
# (OpenIDConnect::ResponseObject::IdToken#verify!: issuer, audience, expiry and nonce).
#
# After the sign-in it refreshes the tokens with the strategy's own client, and verifies the
# refreshed ID token exactly as the strategy verifies one (verify_id_token!, with the nonce the
# session holds by then: none). An ID token that repeats the sign-in's nonce fails there with
# "Invalid ID Token: Nonce does not match".
#
# Driven by test/interop/omniauth.test.ts over stdin/stdout, one JSON object per line:
#   omniauth_rp.rb <issuer> <client_id> <client_secret> <redirect_uri> <scope,scope,...>
#   -> {"authorization_url": ...}
#   <- the redirect_uri URL the browser reached (with code and state)
#   -> {"uid": ..., "info": {...}, "id_token": {...}, "refreshed_id_token": {...}, "refresh_error": ...}

require 'json'
require 'logger'
require 'uri'
require 'rack'
require 'omniauth'
require 'omniauth_openid_connect'

issuer, client_id, client_secret, redirect_uri, scopes = ARGV
abort 'usage: omniauth_rp.rb <issuer> <client_id> <client_secret> <redirect_uri> <scope,scope,...>' unless scopes

# The test issuer is plain http on loopback; the gem builds discovery URLs as https unless told.
SWD.url_builder = URI::HTTP if URI(issuer).scheme == 'http'

OmniAuth.config.logger = Logger.new(IO::NULL)
# GitLab's mount point: /users/auth/openid_connect, callback /users/auth/openid_connect/callback
OmniAuth.config.path_prefix = '/users/auth'
# GitLab protects the request phase with Rails' CSRF token (omniauth-rails_csrf_protection); there is
# no Rails here, and that check is not part of the exchange with the provider.
OmniAuth.config.request_validation_phase = nil
OmniAuth.config.on_failure = lambda do |env|
  error = env['omniauth.error']
  warn "omniauth failure: #{env['omniauth.error.type']}: #{error&.class}: #{error&.message}"
  [401, {}, ['failure']]
end

reached = nil
app = Rack::Builder.new do
  use OmniAuth::Strategies::OpenIDConnect,
      name: :openid_connect,
      issuer: issuer,
      discovery: true,
      scope: scopes.split(',').map(&:to_sym),
      response_type: :code,
      prompt: :consent,
      client_auth_method: :basic,
      uid_field: 'sub',
      client_options: {
        identifier: client_id,
        secret: client_secret,
        redirect_uri: redirect_uri,
        scheme: URI(issuer).scheme,
        host: URI(issuer).host,
        port: URI(issuer).port,
      }
  run(lambda do |env|
    reached = env
    [200, { 'content-type' => 'text/plain' }, ['signed in']]
  end)
end.to_app

session = {}
env = Rack::MockRequest.env_for(URI.join(redirect_uri, '/users/auth/openid_connect').to_s, method: 'POST')
env['rack.session'] = session
status, headers, = app.call(env)
location = headers['Location'] || headers['location']
abort "request phase answered #{status}, no redirect" unless status == 302 && location
$stdout.puts JSON.generate(authorization_url: location)
$stdout.flush

callback = $stdin.gets.to_s.strip
env = Rack::MockRequest.env_for(callback, method: 'GET')
env['rack.session'] = session
status, = app.call(env)
abort "callback phase answered #{status}" unless status == 200 && reached

auth = reached['omniauth.auth']
strategy = reached['omniauth.strategy']
claims = ->(jwt) { JSON::JWT.decode(jwt, :skip_verification).to_h }
result = {
  uid: auth['uid'],
  info: auth['info'].to_h,
  raw_info: auth['extra']['raw_info'].to_h,
  id_token: claims.call(auth['credentials']['id_token']),
  stored_nonce_left: session.key?('omniauth.nonce'),
}

begin
  client = strategy.client
  client.refresh_token = auth['credentials']['refresh_token']
  refreshed = client.access_token!(client_auth_method: :basic)
  result[:refreshed_id_token] = claims.call(refreshed.id_token)
  # the strategy's own check, with what the session holds after the sign-in (no nonce)
  strategy.send(:verify_id_token!, refreshed.id_token)
  result[:refresh_verified] = true
rescue StandardError, OpenIDConnect::ResponseObject::IdToken::InvalidToken => e
  result[:refresh_error] = "#{e.class}: #{e.message}"
end

# The control: the sign-in's own ID token carries the nonce, and the same check refuses it now;
# this is what a refreshed ID token repeating the nonce meets.
begin
  strategy.send(:verify_id_token!, auth['credentials']['id_token'])
  result[:control_error] = nil
rescue StandardError, OpenIDConnect::ResponseObject::IdToken::InvalidToken => e
  result[:control_error] = "#{e.class}: #{e.message}"
end

$stdout.puts JSON.generate(result)
