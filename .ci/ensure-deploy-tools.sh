#!/usr/bin/env bash
# Installs what test/production/nginx.test.ts and deploy-files.test.ts run: Debian's nginx (the light
# build is enough for the example's TLS reverse proxy), openssl (its self-signed certificate) and
# caddy (`caddy validate` of deploy/Caddyfile). Idempotent and quiet
# when both are there; without them the suite is skipped with a one-line reason, never failed.
set -euo pipefail

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v caddy >/dev/null 2>&1 || missing+=(caddy)
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
    echo "ensure-deploy-tools: need root to install ${missing[*]}" >&2
    exit 1
  fi
fi
echo "ensure-deploy-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# The packages' own service start is not wanted (the tests run nginx themselves).
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-deploy-tools: apt-get failed" >&2
  exit 1
fi
