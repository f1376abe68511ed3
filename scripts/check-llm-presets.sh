#!/usr/bin/env bash
# Checks `touchstone presets --format llm` with the real `llm` command-line tool:
#   1. serve emulator personalities on free ports (`touchstone emulate`): `reference` (every
#      flag on), `vllm` (tools refused: no supports_tools), `tgi` (json_schema refused: no
#      supports_schema), `azure` probed as a bearer upstream (its streams are broken:
#      can_stream false), and `azure` on Azure's classic data plane probed with --auth azure
#      (llm cannot express it: no entry, a comment says why);
#   2. probe each to a report, and write one extra-openai-models.yaml from all of them into a
#      fresh LLM_USER_PATH;
#   3. with `llm` (installed from PyPI by scripts/upstreams/llm.sh): no key → llm names the
#      key to set; `llm keys set`; a streamed prompt, a non-streamed one, `--schema` and a
#      tool (`-T llm_version`, which the emulator calls when the prompt names it) on
#      `reference`; llm refusing `-T` on vllm and `--schema` on tgi; a non-streamed answer
#      from the Azure one.
# Exit 0 when every check passes, 1 otherwise. Everything started here is stopped on exit.
# About 15 s once llm is cached (installing it the first time takes about 2 minutes).
#
# Environment: TOUCHSTONE_BIN (a built `touchstone`; default: build one with
# --scratch-path ${TOUCHSTONE_SCRATCH:-.build}), TOUCHSTONE_KEEP (a folder to copy the
# reports, the generated file and llm's output into), plus those of scripts/upstreams/lib.sh
# (TOUCHSTONE_CACHE, TOUCHSTONE_LLM_VERSION).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/upstreams/lib.sh"

if [ -n "${TOUCHSTONE_BIN:-}" ]; then
    touchstone="$TOUCHSTONE_BIN"
else
    scratch="${TOUCHSTONE_SCRATCH:-$ROOT/.build}"
    (cd "$ROOT" && swift build --scratch-path "$scratch" --product touchstone >&2)
    touchstone="$(cd "$ROOT" && swift build --scratch-path "$scratch" --show-bin-path)/touchstone"
fi
[ -x "$touchstone" ] || ts_die "no touchstone executable at $touchstone"
llm="$(bash "$ROOT/scripts/upstreams/llm.sh" path)"
llm_version="$(bash "$ROOT/scripts/upstreams/llm.sh" version)"

work="$(mktemp -d)"
names=()
cleanup() {
    local n
    for n in "${names[@]}"; do ts_stop "$n" >/dev/null 2>&1 || true; done
    if [ -n "${TOUCHSTONE_KEEP:-}" ]; then mkdir -p "$TOUCHSTONE_KEEP" && cp -r "$work"/. "$TOUCHSTONE_KEEP"/; fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() { ts_log "FAIL: $*"; exit 1; }

# llm reads its models, keys and logs from here only; OPENAI_API_KEY (its fallback key) is unset
# so that only the keys set below count.
export LLM_USER_PATH="$work/llm"
mkdir -p "$LLM_USER_PATH"
unset OPENAI_API_KEY

# serve LABEL PERSONALITY [--knob …]: starts the emulator; sets port_LABEL, model_LABEL, key_LABEL.
serve() {
    local label="$1" personality="$2" name="llm-presets-$1-$$" port; shift 2
    port="$(ts_free_port)"
    names+=("$name")
    ts_start "$name" stdbuf -oL "$touchstone" emulate "$personality" "$@" --port "$port" >/dev/null 2>&1
    for _ in $(seq 1 120); do
        grep -q '^model: ' "$TS_RUN/$name.log" && break
        kill -0 "$(cat "$TS_RUN/$name.pid")" 2>/dev/null || fail "the $personality emulator exited: $(tail -n 5 "$TS_RUN/$name.log")"
        sleep 0.2
    done
    printf -v "port_$label" '%s' "$port"
    printf -v "model_$label" '%s' "$(sed -n 's/^model: \([^,]*\).*/\1/p' "$TS_RUN/$name.log" | head -n 1)"
    printf -v "key_$label" '%s' "$(sed -n 's/^bearer key[^:]*: \(.*\)$/\1/p' "$TS_RUN/$name.log" | head -n 1)"
}

# probe LABEL BASE [probe options…]: writes $work/LABEL.json.
probe() {
    local label="$1" base="$2"; shift 2
    local model_var="model_$label" key_var="key_$label"
    export "TS_KEY_$label=${!key_var}"
    "$touchstone" probe "$base" --model "${!model_var}" --api-key-env "TS_KEY_$label" "$@" \
        --json "$work/$label.json" --quiet --fail-on none >"$work/$label-probe.txt"
}

# 1–2. Emulators, reports, the llm file.
serve reference reference
serve vllm vllm
serve tgi tgi
serve azure azure
serve classic azure --knob pathPrefix=azureDeployments
probe reference "http://127.0.0.1:$port_reference/v1"
probe vllm "http://127.0.0.1:$port_vllm/v1"
probe tgi "http://127.0.0.1:$port_tgi/v1"
probe azure "http://127.0.0.1:$port_azure/openai/v1"
probe classic "http://127.0.0.1:$port_classic" --auth azure
id() { local p="port_$1" m="model_$1"; printf '127.0.0.1:%s/%s' "${!p}" "${!m}"; }
presets=(presets --format llm -o "$LLM_USER_PATH/extra-openai-models.yaml")
for label in reference vllm tgi azure classic; do
    p="port_$label"
    presets+=("$work/$label.json" --api-key-env "127.0.0.1:${!p}=TS_KEY_$label")
done
"$touchstone" "${presets[@]}"
cp "$LLM_USER_PATH/extra-openai-models.yaml" "$work/extra-openai-models.yaml"
ts_log "llm file: $(grep -c '^- model_id:' "$work/extra-openai-models.yaml") entries from 5 reports"

# The flags each entry must have, from the probed verdicts (llm reads only `true`, and
# `can_stream: false`).
"$TS_PYTHON" - "$work/extra-openai-models.yaml" "$(id reference)" "$(id vllm)" "$(id tgi)" "$(id azure)" "$(id classic)" <<'PY' \
    || fail "the generated file does not carry the probed flags (kept with TOUCHSTONE_KEEP=DIR)"
import sys, re
text = open(sys.argv[1]).read()
reference, vllm, tgi, azure, classic = sys.argv[2:7]
entries, cur = {}, None
for line in text.splitlines():
    m = re.match(r"^- model_id: '?([^']*)'?$", line)
    if m: cur = entries.setdefault(m.group(1), {}); continue
    m = re.match(r"^  (\w+): (.*)$", line)
    if m and cur is not None: cur[m.group(1)] = m.group(2).strip("'")
def flags(e): return {k for k, v in e.items() if v == "true"}
assert flags(entries[reference]) >= {"supports_tools", "supports_schema"}, entries[reference]
assert "can_stream" not in entries[reference], entries[reference]
assert "supports_tools" not in entries[vllm], f"vllm refuses tools: {entries[vllm]}"
assert "supports_schema" not in entries[tgi], f"tgi refuses json_schema: {entries[tgi]}"
assert entries[azure].get("can_stream") == "false", f"azure's streams are broken: {entries[azure]}"
assert classic not in entries, "an Azure classic upstream cannot be expressed in llm's file"
assert f"{classic.split('/')[0]}: no entry: probed with auth `azure`" in text, "no note for the Azure classic upstream"
for e in (reference, vllm, tgi, azure):
    assert entries[e]["api_key_name"].startswith("TS_KEY_"), entries[e]
PY
ts_log "note in the file: $(grep -o 'no entry: probed with auth `azure`.*' "$work/extra-openai-models.yaml")"

# 3. The real llm.
run_llm() { "$llm" "$@" </dev/null; }
if run_llm -m "$(id reference)" "Say hello" >"$work/nokey.txt" 2>&1; then fail "llm answered without a key"; fi
grep -q "llm keys set TS_KEY_reference" "$work/nokey.txt" || fail "llm did not name the key to set: $(cat "$work/nokey.txt")"
for label in reference vllm tgi azure; do
    k="key_$label"
    "$llm" keys set "TS_KEY_$label" --value "${!k}"
done

LLM_OPENAI_SHOW_RESPONSES=1 run_llm -m "$(id reference)" "Say hello" >"$work/stream.txt" 2>"$work/stream-http.txt" \
    || fail "llm prompt (streamed): $(tail -n 5 "$work/stream-http.txt")"
[ -s "$work/stream.txt" ] || fail "llm answered nothing (streamed)"
grep -q '"stream": true' "$work/stream-http.txt" || fail "llm did not stream to reference"
run_llm -m "$(id reference)" --no-stream "Say hello" >"$work/plain.txt" || fail "llm prompt (--no-stream)"
[ -s "$work/plain.txt" ] || fail "llm answered nothing (--no-stream)"
run_llm -m "$(id reference)" --schema 'name, age int' "Invent a dog" >"$work/schema.txt" || fail "llm --schema"
"$TS_PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d, dict) and "name" in d and "age" in d, d' \
    "$work/schema.txt" || fail "llm --schema did not give the schema's object: $(cat "$work/schema.txt")"
run_llm -m "$(id reference)" -T llm_version --td "Call llm_version please" >"$work/tool.txt" 2>&1 || fail "llm -T: $(tail -n 5 "$work/tool.txt")"
grep -q "Tool call: llm_version" "$work/tool.txt" || fail "the tool was not called: $(cat "$work/tool.txt")"
grep -qx "  $llm_version" "$work/tool.txt" || fail "the tool's result is missing: $(cat "$work/tool.txt")"

# llm enforces the flags that are off.
if run_llm -m "$(id vllm)" -T llm_version "Call llm_version" >"$work/vllm-tool.txt" 2>&1; then
    fail "llm sent tools to an entry without supports_tools"
fi
grep -q "does not support tools" "$work/vllm-tool.txt" || fail "llm -T on vllm failed otherwise: $(cat "$work/vllm-tool.txt")"
if run_llm -m "$(id tgi)" --schema 'name, age int' "Invent a dog" >"$work/tgi-schema.txt" 2>&1; then
    fail "llm sent a schema to an entry without supports_schema"
fi
grep -q "does not support schemas" "$work/tgi-schema.txt" || fail "llm --schema on tgi failed otherwise: $(cat "$work/tgi-schema.txt")"
run_llm -m "$(id vllm)" "Say hello" >"$work/vllm.txt" || fail "llm prompt to vllm"
LLM_OPENAI_SHOW_RESPONSES=1 run_llm -m "$(id azure)" "Say hello" >"$work/azure.txt" 2>"$work/azure-http.txt" \
    || fail "llm prompt to azure: $(tail -n 5 "$work/azure-http.txt")"
[ -s "$work/azure.txt" ] || fail "llm answered nothing (azure)"
if grep -q '"stream": true' "$work/azure-http.txt"; then fail "llm streamed to an entry with can_stream: false"; fi

ts_log "ok: llm $llm_version loaded the presets: streamed and plain prompts, --schema and a tool call on reference; tools refused for vllm, schemas for tgi; no streaming for azure; Azure classic left out with a note"
