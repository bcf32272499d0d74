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

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "newsbook: Ace by DAISY needs: ${missing[*]}; install them to run the accessibility checks" >&2
    exit 0
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "newsbook: Ace by DAISY needs ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
      exit 0
    fi
  fi
  echo "newsbook: installing system packages for Ace: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

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
