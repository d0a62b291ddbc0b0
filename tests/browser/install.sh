#!/usr/bin/env bash
# Installs what the browser tests (tests/browser.rs) need:
#   - Chromium, from Debian's package `chromium` (/usr/bin/chromium);
#   - pdftoppm and pdftotext, from Debian's `poppler-utils`;
#   - the npm packages pinned in package-lock.json, into ./node_modules.
# The Debian packages need root and apt-get; without them this says what
# to install and fails. A browser download by npm tools is never used.
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -x /usr/bin/chromium ] || [ -n "${ANNALIST_CHROMIUM:-}" ] || need+=(chromium)
{ command -v pdftoppm && command -v pdftotext; } >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "browser tests: missing Debian packages: ${need[*]}" >&2
    echo "install them with: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "browser tests: Node.js 20 or later with npm is missing (apt-get install -y nodejs npm)" >&2
  exit 1
fi
if [ ! -f node_modules/playwright-core/package.json ] || [ ! -f node_modules/axe-core/axe.min.js ] \
  || ! cmp -s package-lock.json node_modules/.package-lock.json.orig 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.orig
fi
