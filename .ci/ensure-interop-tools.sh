#!/usr/bin/env bash
# Installs the Debian packages the interop tests (test/interop/) drive as independent relying
# parties: Apache httpd with mod_auth_openidc; Python's Authlib with requests; Go with coreos/go-oidc
# and golang.org/x/oauth2 (an ID-token-only client, read the way kube-apiserver reads it); Ruby with
# OmniAuth's OpenID Connect strategy and the openid_connect gem (what GitLab signs in with).
#
# Idempotent and quiet when everything is already there; runs `apt-get update` only when something
# is missing. Needs root (or sudo) for apt-get. Without these packages the interop suites are
# skipped with a one-line reason, never failed.
set -euo pipefail

packages=(
  apache2 libapache2-mod-auth-openidc
  python3-authlib python3-requests
  golang-go golang-github-coreos-go-oidc-dev golang-golang-x-oauth2-dev
  ruby ruby-omniauth-openid-connect ruby-openid-connect
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$package")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-interop-tools: apt-get not found; install ${missing[*]} by other means (the interop tests are skipped without them)" >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo -n)
  else
    echo "ensure-interop-tools: need root to install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "ensure-interop-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# The packages' own service start is not wanted (the tests run Apache themselves); in containers
# policy-rc.d usually forbids it anyway.
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-interop-tools: apt-get failed" >&2
  exit 1
fi
