#!/usr/bin/env bash
# Checks `./relay up --temporal server` end to end, on non-default ports under its own RELAY_HOME
# (default .relay-top/check): builds or reuses the pinned Temporal server, starts
# the stack on it, sends one delivery with the demo client key, waits until GET shows DELIVERED,
# finds the workflow through Relay's search attributes on SQL visibility with the temporal CLI,
# then stops the stack (--keep leaves it running). Prints the timings it measured.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KEEP=0; [ "${1:-}" = --keep ] && KEEP=1
export RELAY_HOME=${RELAY_HOME:-$ROOT/.relay-top/check}
# 28xxx, away from the defaults; the real server also takes TEMPORAL_PORT+1,+2,+6,+10, -300..-294
# (membership) and +767 (metrics). SeaweedFS also listens on each of its ports +10000, which is in
# Linux's ephemeral range: a clash with some client's socket there fails `up` (seen once; rerun).
export RELAY_API_PORT=${RELAY_API_PORT:-28180} RELAY_WORKER_PORT=${RELAY_WORKER_PORT:-28181}
export RELAY_API_MANAGEMENT_PORT=${RELAY_API_MANAGEMENT_PORT:-28182}
export RELAY_TEMPORAL_PORT=${RELAY_TEMPORAL_PORT:-28733} RELAY_TEMPORAL_UI_PORT=${RELAY_TEMPORAL_UI_PORT:-28833}
export RELAY_PG_PORT=${RELAY_PG_PORT:-28432} RELAY_SMTP_PORT=${RELAY_SMTP_PORT:-28125}
export RELAY_MAIL_UI_PORT=${RELAY_MAIL_UI_PORT:-28126} RELAY_TWILIO_PORT=${RELAY_TWILIO_PORT:-28189}
export RELAY_S3_PORT=${RELAY_S3_PORT:-28533} RELAY_SEAWEED_MASTER_PORT=${RELAY_SEAWEED_MASTER_PORT:-28633}
export RELAY_SEAWEED_VOLUME_PORT=${RELAY_SEAWEED_VOLUME_PORT:-28580} RELAY_SEAWEED_FILER_PORT=${RELAY_SEAWEED_FILER_PORT:-28698}
API=http://127.0.0.1:$RELAY_API_PORT
TEMPORAL=("$RELAY_HOME/venv/bin/temporal" --address "127.0.0.1:$RELAY_TEMPORAL_PORT")

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }
fail() { echo "check-temporal-server: FAILED: $*" >&2; exit 1; }
cleanup() { [ "$KEEP" = 1 ] || "$ROOT/relay" down >/dev/null 2>&1 || true; }
trap cleanup EXIT

mkdir -p "$RELAY_HOME"
t0=$(now)
"$ROOT/scripts/build-temporal-server.sh" "$RELAY_HOME/bin"
t1=$(now)
"$ROOT/relay" up --temporal server >"$RELAY_HOME/up.out" 2>&1 || { tail -20 "$RELAY_HOME/up.out"; fail "relay up --temporal server"; }
t2=$(now)
grep -q "Temporal server" "$RELAY_HOME/up.out" || fail "relay up did not start the real Temporal server"

deliver() { # sends one delivery, waits for DELIVERED; prints "id seconds"
  local id status t0 t1
  t0=$(now)
  id=$(curl -fsS -X POST "$API/v1/deliveries" -H 'Authorization: Bearer relay-demo-client-key' \
    -H 'Content-Type: application/json' -H "Idempotency-Key: check-temporal-server-$(date +%s%N)" \
    -d '{"recipientId":"alice","purpose":"billing","templateId":"invoice","variables":{"name":"Alice","number":"INV-1","amount":"EUR 42.00"}}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["deliveryId"])') || fail "POST /v1/deliveries"
  for _ in $(seq 1 600); do
    status=$(curl -fsS "$API/v1/deliveries/$id" -H 'Authorization: Bearer relay-demo-client-key' \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' || true)
    [ "$status" = DELIVERED ] && break
    sleep 0.1
  done
  t1=$(now)
  [ "$status" = DELIVERED ] || fail "$id is $status after 60 s"
  echo "$id $(secs "$t0" "$t1")"
}
r=$(deliver); id=${r% *}; first=${r#* }   # the first after start pays for cold JVMs and caches
r=$(deliver); warm=${r#* }

# Visibility is written asynchronously: poll the list query a little.
found=
for _ in $(seq 1 40); do
  if "${TEMPORAL[@]}" workflow list --query "Tenant=\"demo\" AND DeliveryStatus=\"DELIVERED\"" | grep -q "$id"; then
    found=1; break
  fi
  sleep 0.5
done
[ -n "$found" ] || fail "workflow list --query 'Tenant=\"demo\" AND DeliveryStatus=\"DELIVERED\"' does not list $id"
count=$("${TEMPORAL[@]}" workflow count --query 'Tenant="demo"')
ui=no
curl -fsS "http://127.0.0.1:$RELAY_TEMPORAL_UI_PORT/api/v1/settings" >/dev/null 2>&1 && ui=yes

echo "check-temporal-server: OK"
echo "  server          $(cat "$RELAY_HOME/bin/.temporal-server-version") ($RELAY_HOME/bin/temporal-server)"
echo "  build/reuse     $(secs "$t0" "$t1") s"
echo "  relay up        $(secs "$t1" "$t2") s  (--temporal server)"
echo "  delivery        POST to DELIVERED: first $first s ($id), next $warm s"
echo "  visibility      Tenant=\"demo\" AND DeliveryStatus=\"DELIVERED\" lists it; workflow count Tenant=\"demo\": $count"
echo "  Web UI          $ui (http://127.0.0.1:$RELAY_TEMPORAL_UI_PORT)"
