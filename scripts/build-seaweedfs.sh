#!/usr/bin/env bash
# Builds SeaweedFS's `weed` (Apache-2.0; the local S3 server for the off-site audit export) from
# the Go module proxy into DIR (default .relay/bin), once: an existing binary of this version is
# kept. Takes a few minutes on 2 cores. Used by ./relay up, .ci/run and the audit-archive tests.
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
GOBIN="$DIR" go install "github.com/seaweedfs/seaweedfs/weed@$VERSION"
echo "$VERSION" >"$STAMP"
