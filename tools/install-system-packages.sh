#!/usr/bin/env bash
# Debian packages the test suite needs: fonts (test images and the OCR dev set
# are rendered with real Chinese and Latin fonts), Chromium (browser tests),
# the build headers of python-ldap (libldap2-dev, libsasl2-dev: a runtime
# requirement, built by pip), OpenLDAP's server and tools (the sign-on tests
# start their own slapd) and node with npm (the tests' OpenID Connect provider,
# tests/teams/sign_on/idp).
# With --bench, also Tesseract for the side-by-side OCR benchmark; with
# --build, only what pip needs to build the runtime requirements (python-ldap).
# Installs only what is missing.
set -euo pipefail
wanted=(fonts-noto-cjk fonts-wqy-microhei fonts-wqy-zenhei fonts-liberation fonts-noto-mono fonts-dejavu-core chromium
        libldap2-dev libsasl2-dev slapd ldap-utils)
if [ "${1:-}" = "--build" ]; then
  wanted=(libldap2-dev libsasl2-dev gcc)
fi
if [ "${1:-}" = "--bench" ]; then
  wanted+=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim)
fi
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# node and npm by command: a node of another origin (which brings its own npm)
# must not be replaced by Debian's packages.
if [ "${1:-}" = "" ] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
# slapd is only run by the tests, as their own process: its package's service
# is not needed (it may start on install; nothing uses it).
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
