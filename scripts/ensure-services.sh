#!/usr/bin/env bash
# Makes sure the servers the tests use answer: PostgreSQL at TEST_DATABASE_URL (default 127.0.0.1:5432, user
# postgres, trust auth) and Redis at TEST_REDIS_URL (default 127.0.0.1:6379). Running ones are used as they are.
# Otherwise PostgreSQL is the embedded one from node_modules (no system package, no apt) with its data in the temp
# directory, and Redis is Debian's redis-server (installed if missing). Both are left running, so the next run and a
# single `npx jest <file>` reuse them; each says how it was started and the PostgreSQL one how to stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/embedded-postgres.js ensure-test-server
node scripts/redis-server.js ensure-test-server
# Debian's Chromium for the browser suite (installed if missing; without it that suite is skipped, loudly).
bash scripts/ensure-chromium.sh
