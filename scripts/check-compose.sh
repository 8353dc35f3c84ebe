#!/usr/bin/env bash
# Validates docker-compose.yml with Docker Compose v2 (`docker compose config`). No Docker engine
# is needed for that; where the compose plugin is missing it is built from the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
COMPOSE_VERSION=v2.40.3
plugin_dir=/usr/local/lib/docker/cli-plugins

if ! docker compose version >/dev/null 2>&1; then
  command -v go >/dev/null || { echo "check-compose: needs go to build docker compose" >&2; exit 1; }
  command -v docker >/dev/null || { echo "check-compose: needs the docker CLI" >&2; exit 1; }
  echo "building docker compose $COMPOSE_VERSION from the Go module proxy"
  dir=$(go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  work=$(mktemp -d)
  cp -r "$dir/." "$work" && chmod -R u+w "$work"
  (cd "$work" && go build -o docker-compose ./cmd)
  mkdir -p "$plugin_dir" && mv "$work/docker-compose" "$plugin_dir/docker-compose"
  rm -rf "$work"
fi
docker compose -f docker-compose.yml config -q
echo "docker-compose.yml: valid"
