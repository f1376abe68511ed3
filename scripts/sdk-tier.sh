#!/usr/bin/env bash
# The SDK tier: the official OpenAI Python SDK (package `openai`, pinned below) against every
# emulator personality, compared with Touchstone's own verdicts (docs/sdk-tier.md).
#
#   scripts/sdk-tier.sh                 build touchstone, run the tier; exit 1 on a problem
#   scripts/sdk-tier.sh --write-docs    the same, then regenerate docs/sdk-tier.md
#   scripts/sdk-tier.sh --only a,b      only these personalities
#
# A problem: an SDK failure or a sweep answer other than OpenAI's on the reference; a check the
# SDK fails whose feature Touchstone calls `supported`, on any personality; a known gap or known
# mismatch (listed in Tests/sdk/) that no longer fails.
#
# Needs no input and is safe to run again: the SDK lives in a virtual environment under
# ${TOUCHSTONE_CACHE:-$HOME/.cache/touchstone}/sdk-venv/openai-<version>, made once (a `.complete`
# stamp marks it finished; a missing stamp makes the next run start over).
#
# Environment:
#   TOUCHSTONE_CACHE          cache root (default $HOME/.cache/touchstone)
#   TOUCHSTONE_BIN            a touchstone binary to use instead of building one
#   TOUCHSTONE_OPENAI_VERSION the SDK version (default pinned below)
set -euo pipefail
{

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source scripts/upstreams/lib.sh

OPENAI_VERSION="${TOUCHSTONE_OPENAI_VERSION:-3.63.0}"
VENV_DEST="$TS_CACHE/sdk-venv/openai-$OPENAI_VERSION"
PY="$VENV_DEST/venv/bin/python"

ARGS=()
DOCS=0
while [ $# -gt 0 ]; do
    case "$1" in
        --write-docs) DOCS=1 ;;
        --only) [ $# -ge 2 ] || ts_die "--only needs a comma-separated list"; ARGS+=(--only "$2"); shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) ts_die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
[ "$DOCS" = 1 ] && ARGS+=(--write-docs docs/sdk-tier.md)

ts_with_lock sdk-venv ts_venv_install sdk "$VENV_DEST" "openai==$OPENAI_VERSION"

if [ -n "${TOUCHSTONE_BIN:-}" ]; then
    BIN="$TOUCHSTONE_BIN"
else
    swift build --product touchstone >&2
    BIN="$(swift build --show-bin-path)/touchstone"
fi
[ -x "$BIN" ] || ts_die "no touchstone binary at $BIN"

# No bytecode caches in the repository.
export PYTHONDONTWRITEBYTECODE=1
exec "$PY" Tests/sdk/tier.py --touchstone "$BIN" "${ARGS[@]}"
}
