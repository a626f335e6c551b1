#!/usr/bin/env bash
# The browser suite (test/console.e2e-spec.ts) drives Debian's Chromium through playwright-core, which brings
# no browser of its own. Installs the `chromium` package when CHROMIUM_PATH (default /usr/bin/chromium) is
# missing. Never fails the run: without a Chromium the suite is skipped, and this and the suite say so loudly.
set -uo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0

as_root=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root="sudo -n "; else as_root="none"; fi
fi
if [ "$as_root" = none ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "#### ensure-chromium: no $chromium and no way to apt-get it: the BROWSER SUITE WILL BE SKIPPED" >&2
  exit 0
fi
echo "ensure-chromium: installing Debian's chromium for the browser suite (a minute or two)" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { ${as_root}apt-get install -y -qq chromium >/dev/null 2>&1 ||
  { ${as_root}apt-get update -qq >/dev/null 2>&1 && ${as_root}apt-get install -y -qq chromium >/dev/null 2>&1; }; }; then
  echo "#### ensure-chromium: apt-get could not install chromium: the BROWSER SUITE WILL BE SKIPPED" >&2
fi
exit 0
