#!/usr/bin/env bash
# Proves the installed binary is self-contained: copies it ALONE into a bare Debian 12 root
# (debootstrap, minbase, plus only libcurl4, libxml2 and ca-certificates: what the Dockerfile's
# runtime stage installs) and probes the built-in emulator there, with no Swift toolchain, no
# suites folder and no source tree in sight.
#
#   scripts/check-bare-debian.sh [BINARY]   default: the binary scripts/install.sh builds
#
# Needs root (debootstrap, chroot). The root is cached under ${TOUCHSTONE_CACHE:-$HOME/.cache/touchstone}.
# The package mirror is the one this machine's apt already uses.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/upstreams/lib.sh

bin="${1:-.build-release/release/touchstone}"
if [ ! -x "$bin" ]; then
    swift build -c release --static-swift-stdlib --product touchstone --scratch-path .build-release
    bin=.build-release/release/touchstone
fi
[ "$(id -u)" -eq 0 ] || ts_die "needs root (debootstrap and chroot)"
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null

mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
[ -n "$mirror" ] || mirror="$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)"
[ -n "$mirror" ] || ts_die "no Debian mirror found in this machine's apt sources"

root="$TS_CACHE/bare-debian-bookworm"
_bare_install() {
    [ -f "$root/.complete" ] && return 0
    local tmp; tmp="$(ts_tmpdir_beside "$root")"
    ts_log "bare Debian: debootstrap (minbase + libcurl4 libxml2 ca-certificates)"
    debootstrap --variant=minbase --include=libcurl4,libxml2,ca-certificates bookworm "$tmp/root" "$mirror" >"$tmp/log" 2>&1 \
        || { tail -20 "$tmp/log" >&2; ts_die "debootstrap failed"; }
    touch "$tmp/root/.complete"
    ts_move_into_place "$tmp/root" "$root"
}
ts_with_lock bare-debian _bare_install

if chroot "$root" sh -c 'command -v swift' >/dev/null 2>&1; then ts_die "the bare root has a Swift toolchain"; fi
install -d "$root/opt/touchstone"
install -m 0755 "$bin" "$root/opt/touchstone/touchstone"
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT

ts_log "bare Debian: $(chroot "$root" /opt/touchstone/touchstone --version)"
out="$(cd / && chroot "$root" /bin/sh -c 'cd /tmp && /opt/touchstone/touchstone probe --emulate reference --quiet --json /tmp/r.json')" \
    || { echo "$out" >&2; ts_die "the copied binary failed in the bare root"; }
echo "$out" | tail -1
echo "$out" | grep -q 'supported' || ts_die "no verdicts in the output"
ts_log "bare Debian: the copied binary probed the emulator with its built-in suites"
