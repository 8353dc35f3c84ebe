#!/usr/bin/env bash
# Browser check against the running local stack (./relay up): makes a delivery that needs
# attention (an SMS the Twilio peer reports undelivered: numbers ending in 0000), then opens the
# Temporal Web UI in headless Chromium, filters DeliveryStatus = "NEEDS_ATTENTION", saves a
# screenshot and fails unless that delivery is listed. Then the sealed payloads: an email
# delivery with a secret variable value, whose input the UI must show as ciphertext
# (binary/encrypted) without codec credentials and decoded to an operator signed in at the codec
# server (support key); one screenshot each ($RELAY_UI_CHECK_SHOTS, default .relay/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
API=${RELAY_API_URL:-http://127.0.0.1:${RELAY_API_PORT:-8080}}
UI=${RELAY_TEMPORAL_UI_URL:-http://127.0.0.1:${RELAY_TEMPORAL_UI_PORT:-8233}}
KEY=${RELAY_API_KEY:-relay-demo-admin-key}
SHOT=${1:-$ROOT/.relay/ui-check.png}
SHOTS=${RELAY_UI_CHECK_SHOTS:-$(dirname "$SHOT")}
# The codec server's sign-in cookie is SameSite=Strict: the UI must be on the same site as the
# API (both localhost), as an operator's browser would have them.
CODEC=${RELAY_CODEC_URL:-http://localhost:${RELAY_API_PORT:-8080}/codec}
CODEC_UI=${RELAY_CODEC_UI_URL:-http://localhost:${RELAY_TEMPORAL_UI_PORT:-8233}}
SUPPORT_KEY=${RELAY_SUPPORT_KEY:-relay-demo-support-key}

if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd "$ROOT/scripts/ui-check" && [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent)

call() { curl -fsS -X "$1" "$API$2" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
call PUT /v1/recipients/ui-check '{"displayName":"UI check","active":true,"contacts":[{"channel":"SMS","address":"+15550000000","verified":true}]}' >/dev/null
call PUT /v1/recipients/ui-check/consents/ui-check '{"channels":{"SMS":true},"source":"ui-check"}' >/dev/null
call PUT /v1/templates/ui-check '{"smsBody":"UI check {{n}}"}' >/dev/null
key="ui-check-$(date +%s%N)"
id=$(curl -fsS -X POST "$API/v1/deliveries" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $key" \
  -d '{"recipientId":"ui-check","purpose":"ui-check","templateId":"ui-check","channels":["SMS"],"variables":{"n":"1"}}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["deliveryId"])')
echo "delivery $id: waiting for NEEDS_ATTENTION"
status=""
for _ in $(seq 1 120); do
  status=$(call GET "/v1/deliveries/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  [ "$status" = NEEDS_ATTENTION ] && break
  sleep 0.5
done
[ "$status" = NEEDS_ATTENTION ] || { echo "delivery $id is $status, not NEEDS_ATTENTION" >&2; exit 1; }
mkdir -p "$(dirname "$SHOT")"
node "$ROOT/scripts/ui-check/check-needs-attention.mjs" --ui "$UI" --workflow-id "$id" --screenshot "$SHOT"

# Sealed payloads: an email delivery whose input carries a value found nowhere else.
secret="UiCheckSecret-$(date +%s%N)"
call PUT /v1/recipients/ui-codec '{"displayName":"UI codec check","active":true,"contacts":[{"channel":"EMAIL","address":"ui-codec@example.test","verified":true}]}' >/dev/null
call PUT /v1/recipients/ui-codec/consents/ui-check '{"channels":{"EMAIL":true},"source":"ui-check"}' >/dev/null
call PUT /v1/templates/ui-codec '{"subject":"UI codec check","textBody":"Hello {{name}}"}' >/dev/null
cid=$(curl -fsS -X POST "$API/v1/deliveries" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: ui-codec-$(date +%s%N)" \
  -d '{"recipientId":"ui-codec","purpose":"ui-check","templateId":"ui-codec","channels":["EMAIL"],"variables":{"name":"'"$secret"'"}}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["deliveryId"])')
echo "delivery $cid: waiting for DELIVERED"
for _ in $(seq 1 120); do
  status=$(call GET "/v1/deliveries/$cid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  [ "$status" = DELIVERED ] && break
  sleep 0.5
done
[ "$status" = DELIVERED ] || { echo "delivery $cid is $status, not DELIVERED" >&2; exit 1; }
node "$ROOT/scripts/ui-check/check-codec.mjs" --ui "$CODEC_UI" --codec "$CODEC" --workflow-id "$cid" \
  --secret "$secret" --support-key "$SUPPORT_KEY" \
  --sealed-shot "$SHOTS/temporal-ui-codec-sealed.png" --decoded-shot "$SHOTS/temporal-ui-codec-decoded.png"
