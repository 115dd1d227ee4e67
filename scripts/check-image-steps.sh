#!/usr/bin/env bash
# The Dockerfile's steps without a Docker engine (none runs in CI): build the client with every
# dependency, then, in a fresh directory laid out like the run stage, install the production
# dependencies with NODE_ENV=production, start the server against DATABASE_URL and require
# /api/health and /api/channels to answer 200.
# Usage: DATABASE_URL=postgres://…/postgres bash scripts/check-image-steps.sh   (an admin URL: a
# database is created for the check and dropped after)
set -euo pipefail
cd "$(dirname "$0")/.."
admin_url="${DATABASE_URL:?set DATABASE_URL to a PostgreSQL admin URL}"
work="$(mktemp -d)"
db="plein_image_check_$$"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  psql "$admin_url" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "image steps: build stage (npm run build)"
npm run build --silent >/dev/null

echo "image steps: run stage in $work (NODE_ENV=production npm ci --omit=dev)"
cp package.json package-lock.json tsconfig.json "$work/"
cp -r server shared migrations scripts "$work/"
mkdir -p "$work/client/src" && cp -r client/src/i18n "$work/client/src/i18n"
mkdir -p "$work/dist" && cp -r dist/client "$work/dist/client"
(cd "$work" && NODE_ENV=production npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
[ ! -e "$work/node_modules/vite" ] || { echo "image steps: vite (a dev dependency) was installed in the run stage"; exit 1; }

psql "$admin_url" -qc "create database $db" >/dev/null
url="$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$admin_url" "$db")"
port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
# exec: $! is then the server itself, so the cleanup stops it (a subshell's pid left it running).
(cd "$work" && NODE_ENV=production HOST=127.0.0.1 PORT="$port" DATA_DIR="$work/data" SKIP_CLIENT_BUILD=true SEED_DEMO=true LOG_LEVEL=warn \
  PUBLIC_URL="http://127.0.0.1:$port" DATABASE_URL="$url" APP_SECRET="image-check-secret-0123456789abcdef" \
  exec node --import tsx server/main.ts > "$work/server.log" 2>&1) &
pid=$!
for _ in $(seq 1 120); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/health")" = 200 ]; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "image steps: the server exited"; cat "$work/server.log"; exit 1; }
  sleep 0.5
done
for path in /api/health /api/channels / /robots.txt /sitemap.xml /kanaal/landelijk/feed.xml /c/landelijk; do
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path")"
  [ "$code" = 200 ] || { echo "image steps: GET $path answered $code"; cat "$work/server.log"; exit 1; }
done
echo "image steps: production install, build and start against DATABASE_URL: health 200"
