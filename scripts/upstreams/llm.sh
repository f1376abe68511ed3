#!/usr/bin/env bash
# The `llm` command-line tool, installed from PyPI into its own virtual environment under
# $TOUCHSTONE_CACHE/llm/<version>/venv (used by scripts/check-llm-presets.sh).
#
#   llm.sh install   install unless cached (idempotent, locked)
#   llm.sh path      print the `llm` executable's path
#   llm.sh version   print the installed llm version
#
# Environment: TOUCHSTONE_CACHE, TOUCHSTONE_LLM_VERSION (default pinned in lib.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LLM_DEST="$TS_CACHE/llm/$LLM_VERSION"
LLM_BIN="$LLM_DEST/venv/bin/llm"

_llm_install() { ts_venv_install llm "$LLM_DEST" "llm==$LLM_VERSION"; }

llm_install() { ts_with_lock llm _llm_install; }

# The comment block at the top of this file.
usage() { awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; }

{
cmd="${1:-}"; shift || true
case "$cmd" in
    install)
        llm_install ;;
    path)
        llm_install; echo "$LLM_BIN" ;;
    version)
        llm_install
        "$LLM_DEST/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("llm"))' ;;
    *)
        usage >&2; exit 2 ;;
esac
}
