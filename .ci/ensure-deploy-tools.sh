#!/usr/bin/env bash
# Installs what test/production/nginx.test.ts and deploy-files.test.ts run: Debian's nginx (the light
# build is enough for the example's TLS reverse proxy), openssl (its self-signed certificate) and
# caddy (`caddy validate` of deploy/Caddyfile). Idempotent and quiet
# when both are there; without them the suite is skipped with a one-line reason, never failed.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v caddy >/dev/null 2>&1 || missing+=(caddy)
[ "${#missing[@]}" -eq 0 ] && exit 0

apt_install "${missing[@]}"
