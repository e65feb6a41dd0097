#!/usr/bin/env bash
# Makes the DEVELOPMENT certificates of the platform's gRPC ports (DESIGN 8) with Debian's
# openssl, into OUT_DIR (default var/tls, ignored by git):
#   ca.pem, ca.key                 a development CA (signs everything below; 10 years)
#   server.pem, server.key         the services' certificate, for 127.0.0.1 and localhost
#   clients/<provider id>.pem/.key one client certificate per provider of the reference data,
#                                  common name = the provider id (mTLS identity)
#   clients/resilience-console.pem/.key  the console's client certificate (a trusted client of
#                                  the escalation service, deploy/config/production/)
# Safe to run twice: what is there, signed by the CA there and valid for 30 more days, is kept;
# a new CA re-issues everything. Never use these outside development: the CA key sits beside them.
#
#   deploy/tls/make-dev-certs.sh [OUT_DIR]
#   RESILIENCE_REFERENCE=path/to/reference.textproto  (default: the Kent and Medway file)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/var/tls}"
reference="${RESILIENCE_REFERENCE:-$root/deploy/config/kent-medway/reference.textproto}"
days=825            # the longest leaf lifetime clients commonly accept
keep_seconds=$((30 * 24 * 3600))
console_name="resilience-console"

command -v openssl >/dev/null || { echo "make-dev-certs: openssl is not installed (apt-get install -y openssl)" >&2; exit 1; }
[[ -r "$reference" ]] || { echo "make-dev-certs: cannot read $reference" >&2; exit 1; }
mkdir -p "$out/clients"
# One run at a time per folder (tests may start several).
exec 9>"$out/.lock"
flock 9
umask 077

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# True when $1 is signed by the CA here and valid for keep_seconds more.
still_good() {
  [[ -s "$1" && -s "${1%.pem}.key" ]] &&
    openssl verify -CAfile "$out/ca.pem" "$1" >/dev/null 2>&1 &&
    openssl x509 -in "$1" -noout -checkend "$keep_seconds" >/dev/null 2>&1
}

if ! { [[ -s "$out/ca.pem" && -s "$out/ca.key" ]] &&
       openssl x509 -in "$out/ca.pem" -noout -checkend "$keep_seconds" >/dev/null 2>&1; }; then
  new_key "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -out "$out/ca.pem" -days 3650 -sha256 \
    -subj "/O=Resilience platform (DEVELOPMENT)/CN=Resilience development CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "make-dev-certs: new development CA in $out/ca.pem"
fi

# issue <pem path> <subject> <extensions...>: a key and a certificate signed by the CA.
issue() {
  local pem="$1" subject="$2" ext="$3"
  local key="${pem%.pem}.key"
  still_good "$pem" && return 0
  local csr ext_file
  csr="$(mktemp)"; ext_file="$(mktemp)"
  printf '%b\n' "$ext" >"$ext_file"
  new_key "$key"
  openssl req -new -key "$key" -subj "$subject" -out "$csr" 2>/dev/null
  openssl x509 -req -in "$csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial \
    -CAserial "$out/ca.srl" -days "$days" -sha256 -extfile "$ext_file" -out "$pem" 2>/dev/null
  rm -f "$csr" "$ext_file"
  issued=$((issued + 1))
}

issued=0
issue "$out/server.pem" "/O=Resilience platform (DEVELOPMENT)/CN=localhost" \
  "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1"
client_ext="basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth"
issue "$out/clients/$console_name.pem" "/O=Resilience platform (DEVELOPMENT)/OU=platform/CN=$console_name" "$client_ext"

# Provider ids: the first `id:` inside each top-level `providers {` block.
providers="$(awk '/^providers \{/ { inside = 1; next }
                  inside && /^  id:/ { gsub(/"/, "", $2); print $2; inside = 0 }
                  /^\}/ { inside = 0 }' "$reference")"
[[ -n "$providers" ]] || { echo "make-dev-certs: no providers in $reference" >&2; exit 1; }
count=0
for id in $providers; do
  issue "$out/clients/$id.pem" "/O=Resilience platform (DEVELOPMENT)/OU=provider/CN=$id" "$client_ext"
  count=$((count + 1))
done
chmod 600 "$out"/*.key "$out"/clients/*.key
echo "make-dev-certs: $out: CA, server (127.0.0.1, localhost), console and $count provider certificates ($issued issued now)"
