#!/usr/bin/env bash
# Installs the system libraries Touchstone builds against, when they are missing.
# Safe to run again: it does nothing when everything is there.
#
# With --with-browser, or when CI=true, it also installs Debian's `chromium`, which the HTML
# matrix tests load the page in (HTMLMatrixBrowserTests; required under CI). The quick start
# does not need it.
set -euo pipefail

packages=(libcurl4-openssl-dev libxml2-dev libxml2-utils pkg-config)
if [ "${1:-}" = "--with-browser" ] || [ "${CI:-}" = "true" ]; then
    packages+=(chromium)
fi

need=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        need+=("$pkg")
    fi
done

if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6.x toolchain needed)" >&2; exit 1; }
echo "setup: system libraries present" >&2
