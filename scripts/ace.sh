#!/usr/bin/env bash
# Install Ace by DAISY (the EPUB accessibility checker) into the venv, for the tests and `newsbook check`.
# Needs Node.js, npm and Chromium (installed with apt when missing, as root); quick when already there.
set -euo pipefail

VENV="${1:-.venv}"
ACE_VERSION="1.4"
DEST="$VENV/ace"
STAMP="$DEST/.installed"  # holds the version installed; the Makefile's target

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)

bash "$(dirname "$0")/apt-install.sh" "Ace by DAISY" ${missing[@]+"${missing[@]}"}
command -v npm >/dev/null 2>&1 || exit 0  # not installed (said why above): the checks skip Ace

if [ "$(cat "$STAMP" 2>/dev/null)" = "$ACE_VERSION" ] && [ -x "$DEST/node_modules/.bin/ace-puppeteer" ]; then
  exit 0
fi
mkdir -p "$DEST"
[ -f "$DEST/package.json" ] || echo '{"name": "newsbook-ace", "private": true}' > "$DEST/package.json"
echo "newsbook: installing Ace by DAISY $ACE_VERSION into $DEST" >&2
# Chromium comes from the system: no browser download, no install scripts.
( cd "$DEST" && PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error "@daisy/ace@$ACE_VERSION" >/dev/null )
echo "$ACE_VERSION" > "$STAMP"
