#!/usr/bin/env bash
# The LiteLLM proxy, installed from PyPI into its own virtual environment under
# $TOUCHSTONE_CACHE/litellm/<version>/venv.
#
#   litellm.sh install                 install unless cached (idempotent, locked)
#   litellm.sh path                    print the `litellm` executable's path
#   litellm.sh version                 print the installed litellm version
#   litellm.sh start NAME PORT CONFIG  start the proxy on 127.0.0.1:PORT with CONFIG
#                                      (a LiteLLM config.yaml), wait until it answers
#                                      /health/liveliness (timeout 180 s)
#   litellm.sh stop NAME               stop the proxy started as NAME (by its PID file)
#
# Environment: TOUCHSTONE_CACHE, TOUCHSTONE_LITELLM_VERSION (default pinned in lib.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LITELLM_DEST="$TS_CACHE/litellm/$LITELLM_VERSION"
LITELLM_BIN="$LITELLM_DEST/venv/bin/litellm"

_litellm_install() { ts_venv_install litellm "$LITELLM_DEST" "litellm[proxy]==$LITELLM_VERSION"; }

litellm_install() { ts_with_lock litellm _litellm_install; }

# The comment block at the top of this file.
usage() { awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; }

# One compound command, read whole before it runs: editing this file cannot reach a
# running copy.
{
cmd="${1:-}"; shift || true
case "$cmd" in
    install)
        litellm_install ;;
    path)
        litellm_install; echo "$LITELLM_BIN" ;;
    version)
        litellm_install
        "$LITELLM_DEST/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))' ;;
    start)
        [ $# -eq 3 ] || ts_die "usage: litellm.sh start NAME PORT CONFIG"
        name="$1" port="$2" config="$3"
        [ -f "$config" ] || ts_die "litellm: no config file at $config"
        litellm_install
        # No telemetry, no update checks: this machine reaches no other network anyway.
        ts_start "$name" env LITELLM_TELEMETRY=False LITELLM_LOCAL_MODEL_COST_MAP=True \
            DISABLE_SCHEMA_UPDATE=True NO_DOCS=True \
            "$LITELLM_BIN" --config "$config" --host 127.0.0.1 --port "$port" --num_workers 1
        ts_wait_ready "$name" "http://127.0.0.1:$port/health/liveliness" "${TOUCHSTONE_READY_TIMEOUT:-180}" ;;
    stop)
        [ $# -ge 1 ] || ts_die "usage: litellm.sh stop NAME"
        ts_stop "$1" ;;
    *)
        usage >&2; exit 2 ;;
esac
}
