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
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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

apt_install "${missing[@]}"
