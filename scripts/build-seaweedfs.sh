#!/usr/bin/env bash
# Builds SeaweedFS's `weed` (Apache-2.0; the local S3 server for the off-site audit export) from
# the Go module proxy into DIR (default .relay/bin), once: an existing binary of this version is
# kept. Takes a few minutes on 2 cores. Used by ./relay up, .ci/run and the audit-archive tests.
# Not `go install pkg@version`: SeaweedFS's go.mod has replace directives, which go install
# refuses; building inside the downloaded module honours them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-$ROOT/.relay/bin}
VERSION=${SEAWEEDFS_VERSION:-v0.0.0-20261109003541-7506e5f91cd6}
STAMP=$DIR/.weed-version
if [ -x "$DIR/weed" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
command -v go >/dev/null || { echo "Go is needed to build SeaweedFS (apt-get install golang-go)" >&2; exit 1; }
mkdir -p "$DIR"
echo "building SeaweedFS $VERSION (Go module proxy) into $DIR"
src=$(go mod download -json "github.com/seaweedfs/seaweedfs@$VERSION" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
(cd "$src" && go build -o "$DIR/weed.tmp" ./weed)
mv "$DIR/weed.tmp" "$DIR/weed"
echo "$VERSION" >"$STAMP"
