#!/usr/bin/env bash
# One command for a fresh machine: the system programs the tests drive (Debian's
# Chromium for browser tests, Tesseract for OCR, PostgreSQL for the service's
# database tests), then a virtual environment in .venv with priorauth and its
# test dependencies. System packages are installed only when absent, and only
# when we can (root, or sudo without a password); otherwise we say what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr tesseract-ocr-eng)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)  # OCR tests render pages with it
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# WeasyPrint renders the service's letters to PDF with Pango (text layout) and HarfBuzz
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(missing); fi
  if [ "${as_root[*]-}" = missing ]; then
    echo "priorauth: please install these Debian packages first (as root): ${need[*]}" >&2
    exit 1
  fi
  echo "installing Debian packages: ${need[*]}" >&2
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/pip install -q -e '.[test]'
echo "installed: .venv/bin/priorauth" >&2
