#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Send one signed prediction with curl and openssl.
#   MODELWATCH_TOKEN=... ./examples/send_events.sh [URL] [MODEL] [SECRET_FILE] [CACERT]
# The body is signed as SPEC section 6 says: HMAC-SHA256 over "<timestamp>.<body>" with the
# principal's hmac_secret_file. Leave SECRET_FILE empty for a principal that does not sign;
# give CACERT for an https URL.
set -euo pipefail
url="${1:-http://127.0.0.1:9464}"
model="${2:-fraud}"
secret_file="${3:-}"
cacert="${4:-}"
: "${MODELWATCH_TOKEN:?set MODELWATCH_TOKEN to the token of the principal}"

body="{\"id\":\"sh-$(date +%s)-$$\",\"features\":{\"amount\":42.5,\"country\":\"ES\"},\"prediction\":1,\"score\":0.81}"
headers=(-H "Authorization: Bearer ${MODELWATCH_TOKEN}" -H "Content-Type: application/json")
if [ -n "$secret_file" ]; then
    stamp="$(date +%s)"
    # The key is the file's bytes without its trailing newline, as the daemon reads it.
    key="$(tr -d '\r\n' < "$secret_file")"
    signature="$(printf '%s.%s' "$stamp" "$body" | openssl dgst -sha256 -hmac "$key" -hex | sed 's/^.*= //')"
    headers+=(-H "X-Modelwatch-Timestamp: ${stamp}" -H "X-Modelwatch-Signature: sha256=${signature}")
fi
tls=()
if [ -n "$cacert" ]; then tls=(--cacert "$cacert"); fi
curl -sS --fail-with-body "${tls[@]}" "${headers[@]}" --data-binary "$body" "${url}/v1/models/${model}/predictions"
echo
