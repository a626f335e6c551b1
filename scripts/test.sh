#!/usr/bin/env bash
# `npm test`: installs what is missing, makes sure PostgreSQL and Redis answer, runs every test
# (unit, integration and e2e) against the real servers.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/ensure-services.sh
# The crash-recovery test runs the built IAM service as a child process it can kill.
npm run --silent build
exec npx jest --ci "$@"
