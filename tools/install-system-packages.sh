#!/usr/bin/env bash
# Debian packages the test suite needs: CJK fonts (rendering test images with
# Chinese text) and Chromium (browser tests). Installs only what is missing.
set -euo pipefail
wanted=(fonts-noto-cjk fonts-dejavu-core chromium)
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
