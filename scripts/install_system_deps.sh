#!/usr/bin/env bash
# Debian packages the app and its tests need. Idempotent; skips what is installed.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
dpkg -s libpq5 >/dev/null 2>&1 || need+=(libpq5)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
# Arabic-script (Urdu), Bengali, Gurmukhi and other scripts for Chromium: the server's PDF prints of a report in
# Urdu, and the browser tests' right-to-left pages and screenshots (DejaVu has no Urdu letters beyond the basic).
dpkg -s fonts-noto-core >/dev/null 2>&1 || need+=(fonts-noto-core)
# nginx (deploy/nginx.conf, the production front) and openssl: tests/load/ start them as their own processes.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${need[*]}. Install them with: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
