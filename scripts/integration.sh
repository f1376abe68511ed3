#!/usr/bin/env bash
# The integration tier: Touchstone against real upstreams (docs/real-upstreams.md).
#
#   scripts/integration.sh            build what is missing, start the three real targets,
#                                     probe each with the real CLI, assert reports/expected.yaml
#   scripts/integration.sh --publish  the same, then regenerate reports/ (JSON, JUnit and
#                                     Markdown per target, metadata, proxy-vs-server table,
#                                     curl evidence, emulator-vs-real comparison)
#
# Targets (all on 127.0.0.1, free ports, started and stopped by PID):
#   llama-jinja    llama-server --jinja
#   llama-embed    llama-server --embeddings --pooling mean --api-key $KEY
#   litellm-proxy  LiteLLM proxy with a master key, in front of llama-jinja
#   llama-np1      llama-server -np 1, probed at the default --jobs and at --jobs 1: the
#                  verdicts must be identical (scripts/upstreams/one-slot.sh)
#
# Needs no input and is safe to run again: everything fetched or built is cached under
# ${TOUCHSTONE_CACHE:-$HOME/.cache/touchstone}; a warm cache skips every install.
#
# Environment:
#   TOUCHSTONE_CACHE     cache root (default $HOME/.cache/touchstone)
#   TOUCHSTONE_BIN       a touchstone binary to use instead of building one
#   TOUCHSTONE_SCRATCH   SwiftPM scratch path for the build (default: SwiftPM's .build)
#   TOUCHSTONE_TARGETS   space-separated subset of the targets above (default: all four)
#   TOUCHSTONE_OUT       where the reports of a run go (default: a folder under the cache)
set -euo pipefail
# The whole script is one compound command, read before it runs: editing this file while a
# run is going cannot change what that run does.
{

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source scripts/upstreams/lib.sh

PUBLISH=0
for arg in "$@"; do
    case "$arg" in
        --publish) PUBLISH=1 ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) ts_die "unknown argument $arg (see --help)" ;;
    esac
done

TARGETS="${TOUCHSTONE_TARGETS:-llama-jinja llama-embed litellm-proxy llama-np1}"
for t in $TARGETS; do
    case "$t" in llama-jinja|llama-embed|litellm-proxy|llama-np1) ;; *) ts_die "unknown target $t" ;; esac
done
want() { case " $TARGETS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
# The proxy fronts llama-jinja.
if want litellm-proxy && ! want llama-jinja; then TARGETS="llama-jinja $TARGETS"; fi

# One run folder per invocation: PID files, logs, configs. Two runs never share one.
# Run folders of earlier runs are pruned to the latest ten.
mkdir -p "$TS_CACHE/run"
for old in $( (ls -1d "$TS_CACHE"/run/2*-* 2>/dev/null || true) | sort | head -n -10); do rm -rf "$old"; done
export TOUCHSTONE_RUN_DIR="$TS_CACHE/run/$(date +%Y%m%d-%H%M%S)-$$"
TS_RUN="$TOUCHSTONE_RUN_DIR"
mkdir -p "$TS_RUN"
OUT="${TOUCHSTONE_OUT:-$TS_RUN/reports}"
mkdir -p "$OUT"
TIMINGS="$TS_RUN/timings.tsv"
: >"$TIMINGS"

STARTED=()
cleanup() {
    local rc=$?
    for (( i=${#STARTED[@]}-1; i>=0; i-- )); do
        ts_stop "${STARTED[$i]}" || true
    done
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

timed() {  # timed LABEL COMMAND...: runs COMMAND and records its wall time
    local label="$1"; shift
    local t0=$SECONDS
    "$@"
    printf '%s\t%s\n' "$label" "$((SECONDS - t0))" >>"$TIMINGS"
    ts_log "== $label: $((SECONDS - t0)) s"
}
T_TOTAL=$SECONDS

# ---- 1. what is needed ---------------------------------------------------------------
ts_log "integration: cache $TS_CACHE, run folder $TS_RUN"
timed "setup (system libraries)" bash scripts/setup.sh

# Network-bound installs run beside the CPU-bound builds.
install_bg() {
    ( timed "install model" scripts/upstreams/model.sh install ) >"$TS_RUN/install-model.log" 2>&1 &
    PID_MODEL=$!
    if want litellm-proxy; then
        ( timed "install litellm" scripts/upstreams/litellm.sh install ) >"$TS_RUN/install-litellm.log" 2>&1 &
        PID_LITELLM=$!
    fi
}
PID_MODEL="" PID_LITELLM=""
install_bg
timed "install llama-server" scripts/upstreams/llama.sh install

build_touchstone() {
    if [ -n "${TOUCHSTONE_BIN:-}" ]; then
        [ -x "$TOUCHSTONE_BIN" ] || ts_die "TOUCHSTONE_BIN=$TOUCHSTONE_BIN is not executable"
        TS_BIN="$TOUCHSTONE_BIN"
        return
    fi
    local scratch=()
    [ -n "${TOUCHSTONE_SCRATCH:-}" ] && scratch=(--scratch-path "$TOUCHSTONE_SCRATCH")
    swift build --product touchstone "${scratch[@]}" >&2
    TS_BIN="$(swift build --product touchstone "${scratch[@]}" --show-bin-path)/touchstone"
}
timed "build touchstone" build_touchstone
for p in $PID_MODEL $PID_LITELLM; do
    if ! wait "$p"; then
        cat "$TS_RUN"/install-*.log >&2
        ts_die "an install failed"
    fi
done
cat "$TS_RUN"/install-*.log >&2

# ---- 2. the targets ------------------------------------------------------------------
MODEL_ALIAS="gemma-3-270m"
# Keys for this run only, random, held in environment variables: touchstone reads them
# through --api-key-env and never sees them on its command line.
export TS_LLAMA_EMBED_KEY="sk-llama-$("$TS_PYTHON" -c 'import secrets; print(secrets.token_hex(16))')"
export TS_LITELLM_MASTER_KEY="sk-litellm-$("$TS_PYTHON" -c 'import secrets; print(secrets.token_hex(16))')"

# Small contexts. llama-jinja has 4 slots and is probed with 4 requests at once. llama-embed
# has one slot: with several, an embeddings request waits until no slot is generating, and
# under a steady stream of chat probes it starved past the timeout (docs/real-upstreams.md);
# with one slot requests queue in order. It is probed with 2 at once.
LLAMA_COMMON=(--alias "$MODEL_ALIAS" --threads 2)
declare -A PORT FLAGS BASE KEYENV EMBED JOBS
start_llama_jinja() {
    PORT[llama-jinja]="$(ts_free_port)"
    local flags=(--jinja -np 4 -c 4096 "${LLAMA_COMMON[@]}")
    FLAGS[llama-jinja]="${flags[*]}"
    JOBS[llama-jinja]=4
    scripts/upstreams/llama.sh start llama-jinja "${PORT[llama-jinja]}" "${flags[@]}"
    STARTED+=(llama-jinja)
    BASE[llama-jinja]="http://127.0.0.1:${PORT[llama-jinja]}/v1"
    KEYENV[llama-jinja]=""
    EMBED[llama-jinja]="$MODEL_ALIAS"
}
start_llama_embed() {
    PORT[llama-embed]="$(ts_free_port)"
    local flags=(-np 1 -c 2048 "${LLAMA_COMMON[@]}")
    FLAGS[llama-embed]="--embeddings --pooling mean --api-key \$TS_LLAMA_EMBED_KEY ${flags[*]}"
    JOBS[llama-embed]=2
    scripts/upstreams/llama.sh start llama-embed "${PORT[llama-embed]}" \
        --embeddings --pooling mean --api-key "$TS_LLAMA_EMBED_KEY" "${flags[@]}"
    STARTED+=(llama-embed)
    BASE[llama-embed]="http://127.0.0.1:${PORT[llama-embed]}/v1"
    KEYENV[llama-embed]="TS_LLAMA_EMBED_KEY"
    EMBED[llama-embed]="$MODEL_ALIAS"
}
start_litellm_proxy() {
    PORT[litellm-proxy]="$(ts_free_port)"
    local config="$TS_RUN/litellm-config.yaml"
    # The key is not written into the file: LiteLLM reads os.environ/… at start.
    sed -e "s#@UPSTREAM@#${BASE[llama-jinja]}#" -e "s#@MODEL@#$MODEL_ALIAS#g" \
        scripts/upstreams/litellm-config.yaml.in >"$config"
    FLAGS[litellm-proxy]="--config litellm-config.yaml (master key from \$TS_LITELLM_MASTER_KEY, model $MODEL_ALIAS -> ${BASE[llama-jinja]})"
    LITELLM_MASTER_KEY="$TS_LITELLM_MASTER_KEY" scripts/upstreams/litellm.sh start litellm-proxy "${PORT[litellm-proxy]}" "$config"
    STARTED+=(litellm-proxy)
    BASE[litellm-proxy]="http://127.0.0.1:${PORT[litellm-proxy]}/v1"
    KEYENV[litellm-proxy]="TS_LITELLM_MASTER_KEY"
    JOBS[litellm-proxy]=4  # the slots of llama-jinja behind it
    EMBED[litellm-proxy]="$MODEL_ALIAS"
}

# ---- 3. probe and assert -------------------------------------------------------------
EXPECT_FAILED=0
probe() {  # probe TARGET: `touchstone run` on a one-target file, asserting reports/expected.yaml
    local t="$1" dir="$OUT/$1"
    mkdir -p "$dir"
    {
        echo "targets:"
        echo "  $t:"
        echo "    base_url: ${BASE[$t]}"
        echo "    model: $MODEL_ALIAS"
        echo "    embedding_model: ${EMBED[$t]}"
        if [ -n "${KEYENV[$t]}" ]; then echo "    api_key_env: ${KEYENV[$t]}"; fi
    } >"$dir/targets.yaml"
    local rc=0
    "$TS_BIN" run --targets "$dir/targets.yaml" --expect reports/expected.yaml \
        --jobs "${JOBS[$t]}" --timeout 180 --quiet \
        --json "$dir/report.json" --junit "$dir/junit.xml" --markdown "$dir/table.md" \
        >"$dir/console.txt" 2>"$dir/stderr.txt" || rc=$?
    case "$rc" in
        0) ;;
        1) EXPECT_FAILED=1; cat "$dir/stderr.txt" >&2 ;;  # expectations not met: reported, run goes on
        *) cat "$dir/stderr.txt" >&2; ts_die "$t: touchstone run exited $rc" ;;
    esac
    "$TS_PYTHON" scripts/upstreams/meta.py --target "$t" --base-url "${BASE[$t]}" \
        --flags "${FLAGS[$t]}" --model "$MODEL_ALIAS" --report "$dir/report.json" \
        ${KEYENV[$t]:+--key-env "${KEYENV[$t]}"} >"$dir/meta.json"
}

run_target() {  # run_target TARGET: start (unless started), probe, record
    local t="$1"
    case "$t" in
        llama-jinja) timed "start llama-jinja" start_llama_jinja ;;
        llama-embed) timed "start llama-embed" start_llama_embed ;;
        litellm-proxy) timed "start litellm-proxy" start_litellm_proxy ;;
    esac
    timed "probe $t" probe "$t"
    if [ "$PUBLISH" = 1 ]; then
        timed "evidence $t" "$TS_PYTHON" scripts/upstreams/evidence.py --target "$t" \
            --base-url "${BASE[$t]}" --model "$MODEL_ALIAS" --embedding-model "${EMBED[$t]}" \
            ${KEYENV[$t]:+--key-env "${KEYENV[$t]}"} --jobs "${JOBS[$t]}" --out "$OUT/$t/evidence.json"
    fi
}

# llama-embed runs alone (two llama-servers would share 2 cores); llama-jinja stays up
# for the proxy in front of it.
if want llama-embed; then
    run_target llama-embed
    ts_stop llama-embed
fi
# The single-slot server, alone too: two probes, one at the default --jobs, one at --jobs 1.
ONE_SLOT_FAILED=0
if want llama-np1; then
    timed "llama-np1 (both probes)" scripts/upstreams/one-slot.sh "$TS_BIN" "$OUT/llama-np1" "$TIMINGS" \
        || ONE_SLOT_FAILED=1
fi
if want llama-jinja; then run_target llama-jinja; fi
if want litellm-proxy; then run_target litellm-proxy; fi

# Emulator personalities of the same servers, for the emulator-vs-real comparison.
if [ "$PUBLISH" = 1 ]; then
    for p in llamacpp litellm; do
        mkdir -p "$OUT/emulator-$p"
        "$TS_BIN" probe --emulate "$p" --fail-on none --quiet --json "$OUT/emulator-$p/report.json" \
            >/dev/null 2>"$OUT/emulator-$p/stderr.txt"
    done
fi

# Stop the servers before asserting, so nothing outlives a failing assertion either.
for (( i=${#STARTED[@]}-1; i>=0; i-- )); do ts_stop "${STARTED[$i]}"; done
STARTED=()

status=0
reports=()
for t in $TARGETS; do [ "$t" = llama-np1 ] || reports+=(--report "$t=$OUT/$t/report.json"); done
# touchstone's --expect already failed on any verdict the file does not accept; check.py also
# requires every feature to be covered, and that no key leaked into any file of the run.
if [ ${#reports[@]} -gt 0 ]; then
    "$TS_PYTHON" scripts/upstreams/check.py --expected reports/expected.yaml "${reports[@]}" \
        --secret-env TS_LLAMA_EMBED_KEY --secret-env TS_LITELLM_MASTER_KEY --scan "$OUT" || status=$?
fi
[ "$EXPECT_FAILED" = 0 ] || status=1
[ "$ONE_SLOT_FAILED" = 0 ] || { ts_log "integration: llama-np1 verdicts differ between the default --jobs and --jobs 1"; status=1; }

printf '%s\t%s\n' "total" "$((SECONDS - T_TOTAL))" >>"$TIMINGS"
if [ "$PUBLISH" = 1 ] && [ "$status" = 0 ]; then
    "$TS_PYTHON" scripts/upstreams/publish.py --run "$OUT" --reports reports \
        --expected reports/expected.yaml --timings "$TIMINGS"
fi

ts_log "integration: wall times (s):"
column -t -s $'\t' "$TIMINGS" >&2 || cat "$TIMINGS" >&2
[ "$PUBLISH" = 1 ] && [ "$status" != 0 ] && ts_log "integration: reports/ left as it was: the run did not pass"
ts_log "integration: reports of this run in $OUT"
exit "$status"
}
