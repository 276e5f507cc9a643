#!/usr/bin/env bash
# Debian packages the test suite needs: fonts (test images and the OCR dev set
# are rendered with real Chinese and Latin fonts) and Chromium (browser tests).
# With --bench, also Tesseract for the side-by-side OCR benchmark.
# Installs only what is missing.
set -euo pipefail
wanted=(fonts-noto-cjk fonts-wqy-microhei fonts-wqy-zenhei fonts-liberation fonts-noto-mono fonts-dejavu-core chromium)
if [ "${1:-}" = "--bench" ]; then
  wanted+=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim)
fi
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
