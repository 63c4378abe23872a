#!/usr/bin/env bash
# Installs what ecert needs on a fresh Debian machine, and nothing that is
# already there: the CJK fonts the certificate is printed with, and the
# tools the tests use to look at its output (qpdf, pdftoppm, zbarimg,
# chromium). Then downloads the Go modules.
set -euo pipefail

packages=(
  fonts-arphic-gkai00mp   # Kai face for the certificate text (GB2312)
  fonts-arphic-gbsn00lp   # Song face (GB2312)
  fonts-droid-fallback    # wide coverage: name characters outside GB2312
  qpdf                    # tests: structural check of rendered PDFs
  poppler-utils           # tests: pdftoppm / pdftotext
  zbar-tools              # tests: zbarimg scans the printed QR
)
if [[ "${1:-}" == "--browser" ]]; then
  packages+=(chromium)    # tests: pages at a phone's width in headless Chromium
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

go mod download
