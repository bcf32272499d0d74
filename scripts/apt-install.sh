#!/usr/bin/env bash
# Install the named Debian packages with apt (as root, or through sudo); where that cannot be done,
# say what to install and return 0, so a build without them still runs what it can.
# Usage: bash scripts/apt-install.sh "what needs them" PACKAGE...
set -euo pipefail

purpose="$1"; shift
[ $# -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "newsbook: $purpose needs: $* (or their equivalents for your system)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "newsbook: $purpose needs system packages ($*); run as root: apt-get install $*" >&2
    exit 0
  fi
fi
echo "newsbook: installing system packages for $purpose: $*" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
