#!/bin/sh
# A self-signed certificate for https://localhost:8443 (compose.yaml's nginx). Browsers will warn:
# it is for trying the scale-out shape, not for production. Usage: make-cert.sh [DIRECTORY]
set -eu
dir="${1:-$(dirname "$0")/certs}"
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
chmod 600 "$dir/tls.key"
echo "wrote $dir/tls.crt and $dir/tls.key"
