#!/usr/bin/env bash
# Fuzzes Relay's API against its own OpenAPI document with Schemathesis: every operation, every
# check (`--checks all`: server errors, undocumented statuses, responses that violate the schema,
# schema-valid requests refused, schema-violating requests accepted, auth that is not enforced,
# Allow headers, ...). Exits non-zero on any failure.
#
#   scripts/fuzz-api.sh            # pinned: deterministic generation, bounded examples (CI, minutes)
#   scripts/fuzz-api.sh --random   # randomised and longer: new inputs every run (a seed is printed)
#
# Environment:
#   RELAY_API_URL      where the API answers             (default http://127.0.0.1:${RELAY_API_PORT:-8080})
#   RELAY_OPENAPI_URL  where its OpenAPI document is     (default $RELAY_API_URL/v3/api-docs; it may
#                      move to a management port: point this there)
#   RELAY_FUZZ_KEY     an API key; an ADMIN key may call every operation (default the demo admin key)
#   RELAY_FUZZ_EXAMPLES  examples per operation          (default 25 pinned, 200 random)
#   RELAY_FUZZ_SEED    the seed of a --random run        (default: a new one)
#   RELAY_FUZZ_MAX_TIME  time budget of a --random run, s (default 900)
#   SCHEMATHESIS       the st binary                     (default .relay/venv/bin/st, installed by
#                      .ci/run: PyPI schemathesis==4.32.5)
#
# Scope: every operation in the document; the key is an admin's (the Twilio status webhook takes no
# key: Twilio's signature is checked first, so fuzzed callbacks are refused with 403 and change
# nothing). Not in the document, so not fuzzed: the codec sign-in and sign-out pages
# (/codec/login, /codec/logout: HTML forms for a person in a browser, not API operations; they are
# covered by CodecServerTest), actuator and Swagger UI.
# What is configured in scripts/schemathesis.toml is the one place a schema cannot say what a
# valid request is (a well-formed delivery naming a recipient that does not exist is a 422).
#
# The run writes to the API's database (recipients, templates, consents, a status webhook URL of
# the demo tenant): run it against a local or CI stack, never a shared one.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
API=${RELAY_API_URL:-http://127.0.0.1:${RELAY_API_PORT:-8080}}
DOC=${RELAY_OPENAPI_URL:-$API/v3/api-docs}
KEY=${RELAY_FUZZ_KEY:-relay-demo-admin-key}
ST=${SCHEMATHESIS:-$ROOT/.relay/venv/bin/st}
REPORTS=${RELAY_FUZZ_REPORTS:-$ROOT/.relay/fuzz}
[ -x "$ST" ] || { echo "no schemathesis at $ST: python3 -m venv .relay/venv && .relay/venv/bin/pip install schemathesis==4.32.5" >&2; exit 2; }

mode=pinned
[ "${1:-}" = "--random" ] && mode=random
args=(run "$DOC" --url "$API" --checks all
  -H "Authorization: Bearer $KEY"
  --request-timeout 30 --wait-for-schema 120
  --report junit,ndjson --no-color
  # Outputs of one operation feed another (PUT recipient, then GET it and PUT its consent).
  --phases examples,coverage,fuzzing,stateful)
if [ "$mode" = pinned ]; then
  # Same inputs every run: a failure in CI is a regression, reproducible with the same command.
  args+=(--generation-deterministic --max-examples "${RELAY_FUZZ_EXAMPLES:-25}" --workers 2)
else
  seed=${RELAY_FUZZ_SEED:-$(python3 -c 'import secrets; print(secrets.randbelow(2**31))')}
  echo "randomised run, seed $seed (RELAY_FUZZ_SEED=$seed $0 --random reproduces it)"
  args+=(--seed "$seed" --max-examples "${RELAY_FUZZ_EXAMPLES:-200}" --workers 2
    --max-time "${RELAY_FUZZ_MAX_TIME:-900}")
fi
# Two passes. Operations that can take the fuzzer's own access away (rotating or revoking keys,
# setting the tenant's request limits to one a day) run last, on their own, so they cannot turn
# every other operation's answers into 401s or 429s; keys are only reachable there through
# createApiKey, so the fuzzer revokes what it made, never the key it uses.
LAST=(putLimits getLimits createApiKey getApiKey rotateApiKey revokeApiKey)
first=() last=()
for op in putLimits rotateApiKey revokeApiKey; do first+=(--exclude-operation-id "$op"); done
for op in "${LAST[@]}"; do last+=(--include-operation-id "$op"); done
mkdir -p "$REPORTS/$mode" "$REPORTS/$mode-access"
rc=0
"$ST" --config-file "$ROOT/scripts/schemathesis.toml" "${args[@]}" \
  --report-dir "$REPORTS/$mode" "${first[@]}" || rc=$?
echo "--- second pass: key lifecycle and request limits"
"$ST" --config-file "$ROOT/scripts/schemathesis.toml" "${args[@]}" \
  --report-dir "$REPORTS/$mode-access" "${last[@]}" || rc=$?
# Put the tenant's limits and SMS settings back to the configured defaults (an admin may always
# change the limits), so the stack stays usable (./relay up seeds it again on the next start).
for setting in limits sms; do
  curl -fsS -o /dev/null -X PUT "$API/v1/settings/$setting" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' -d '{}' || { echo "could not reset $setting" >&2; rc=1; }
done
exit "$rc"
