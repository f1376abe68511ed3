#!/usr/bin/env bash
# Builds one self-contained `touchstone` binary (release, Swift standard library and Foundation
# linked statically; the built-in suites are compiled in) and installs it with shell completions.
#
#   scripts/install.sh [PREFIX]     default PREFIX: /usr/local as root, else $HOME/.local
#
# Installs PREFIX/bin/touchstone, and completions for bash, zsh and fish under PREFIX/share.
# The binary needs only libcurl and libxml2 at run time (Debian: libcurl4, libxml2), so it can be
# copied alone to another machine of the same kind. Building needs a Swift 6 toolchain and the
# -dev packages, which scripts/setup.sh installs when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "$(id -u)" -eq 0 ]; then default_prefix=/usr/local; else default_prefix="$HOME/.local"; fi
PREFIX="${1:-$default_prefix}"
case "$PREFIX" in -h|--help) sed -n '2,11p' "$0"; exit 0 ;; esac

bash scripts/setup.sh
scratch=.build-release
swift build -c release --static-swift-stdlib --product touchstone --scratch-path "$scratch"
bin="$scratch/release/touchstone"

# Nothing of the Swift runtime may be loaded from the toolchain at run time.
if ldd "$bin" | grep -q 'libswift\|libFoundation'; then
    echo "install: the binary still links the Swift runtime dynamically:" >&2
    ldd "$bin" | grep 'libswift\|libFoundation' >&2
    exit 1
fi

install -d "$PREFIX/bin" "$PREFIX/share/bash-completion/completions" \
    "$PREFIX/share/zsh/site-functions" "$PREFIX/share/fish/vendor_completions.d"
install -m 0755 "$bin" "$PREFIX/bin/touchstone.tmp"
mv -f "$PREFIX/bin/touchstone.tmp" "$PREFIX/bin/touchstone"
"$PREFIX/bin/touchstone" --generate-completion-script bash >"$PREFIX/share/bash-completion/completions/touchstone"
"$PREFIX/bin/touchstone" --generate-completion-script zsh >"$PREFIX/share/zsh/site-functions/_touchstone"
"$PREFIX/bin/touchstone" --generate-completion-script fish >"$PREFIX/share/fish/vendor_completions.d/touchstone.fish"

echo "installed touchstone $("$PREFIX/bin/touchstone" --version) in $PREFIX/bin" >&2
case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *) echo "add it to PATH: export PATH=\"$PREFIX/bin:\$PATH\"" >&2 ;;
esac
