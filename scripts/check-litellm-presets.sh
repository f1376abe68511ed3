#!/usr/bin/env bash
# Checks `touchstone presets --format litellm` against a real LiteLLM proxy:
#   1. serve the emulator's `reference` personality on a free port (`touchstone emulate`), and
#      its `azure` personality on Azure's classic data plane (`--knob pathPrefix=azureDeployments`:
#      /openai/deployments/D/…?api-version=V, `api-key` header);
#   2. probe them (the second with `--auth azure`) and write reports, then turn both reports
#      into one LiteLLM config (the Azure upstream through LiteLLM's Azure provider);
#   3. start `litellm --config <that file>` (installed from PyPI by scripts/upstreams/litellm.sh);
#   4. check that /v1/models lists every model of the config, that /model/info carries the
#      probed supports_* flags, and that a chat completion, a streamed one and an embedding
#      go through the proxy to the emulator; and a chat and an embedding to the Azure one.
# Exit 0 when every check passes, 1 otherwise. Everything started here is stopped on exit.
# About 25 s once LiteLLM is cached (most of it LiteLLM's start).
#
# Environment: TOUCHSTONE_BIN (a built `touchstone`; default: build one with
# --scratch-path ${TOUCHSTONE_SCRATCH:-.build}), TOUCHSTONE_PERSONALITY (default reference),
# TOUCHSTONE_AZURE=0 (skip the Azure upstream), TOUCHSTONE_KEEP (a folder to copy the
# reports, config and responses into), plus those of scripts/upstreams/lib.sh
# (TOUCHSTONE_CACHE, TOUCHSTONE_LITELLM_VERSION).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/upstreams/lib.sh"

personality="${TOUCHSTONE_PERSONALITY:-reference}"
if [ -n "${TOUCHSTONE_BIN:-}" ]; then
    touchstone="$TOUCHSTONE_BIN"
else
    scratch="${TOUCHSTONE_SCRATCH:-$ROOT/.build}"
    (cd "$ROOT" && swift build --scratch-path "$scratch" --product touchstone >&2)
    touchstone="$(cd "$ROOT" && swift build --scratch-path "$scratch" --show-bin-path)/touchstone"
fi
[ -x "$touchstone" ] || ts_die "no touchstone executable at $touchstone"

work="$(mktemp -d)"
emu="presets-emulator-$$"
azure_emu="presets-azure-$$"
proxy="presets-litellm-$$"
cleanup() {
    ts_stop "$proxy" || true
    ts_stop "$emu" || true
    ts_stop "$azure_emu" || true
    if [ -n "${TOUCHSTONE_KEEP:-}" ]; then mkdir -p "$TOUCHSTONE_KEEP" && cp -r "$work"/. "$TOUCHSTONE_KEEP"/; fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() { ts_log "FAIL: $*"; exit 1; }

# 1. The emulator, on its own port so it outlives the probe.
emu_port="$(ts_free_port)"
# stdbuf: `touchstone emulate` prints its model and key before serving; line-buffer it into the log.
ts_start "$emu" stdbuf -oL "$touchstone" emulate "$personality" --port "$emu_port"
for _ in $(seq 1 120); do
    grep -q '^model: ' "$TS_RUN/$emu.log" && break
    kill -0 "$(cat "$TS_RUN/$emu.pid")" 2>/dev/null || fail "the emulator exited: $(tail -n 5 "$TS_RUN/$emu.log")"
    sleep 0.5
done
chat_model="$(sed -n 's/^model: \([^,]*\).*/\1/p' "$TS_RUN/$emu.log" | head -n 1)"
embedding_model="$(sed -n 's/^model: .*embedding model: \(.*\)$/\1/p' "$TS_RUN/$emu.log" | head -n 1)"
# The emulator's own key (printed by `touchstone emulate`; not a secret).
export TS_UPSTREAM_KEY="$(sed -n 's/^bearer key[^:]*: \(.*\)$/\1/p' "$TS_RUN/$emu.log" | head -n 1)"
[ -n "$chat_model" ] || fail "the emulator did not print its model (log $TS_RUN/$emu.log)"
ts_log "emulator $personality on port $emu_port: model $chat_model, embedding model ${embedding_model:-none}"

# 2. Probe, then presets.
probe_args=(probe "http://127.0.0.1:$emu_port/v1" --model "$chat_model" --json "$work/report.json" --quiet --fail-on none)
[ -n "$embedding_model" ] && probe_args+=(--embedding-model "$embedding_model")
[ -n "$TS_UPSTREAM_KEY" ] && probe_args+=(--api-key-env TS_UPSTREAM_KEY)
"$touchstone" "${probe_args[@]}" >"$work/probe.txt"
presets_args=(presets "$work/report.json" --format litellm -o "$work/litellm.yaml")
[ -n "$TS_UPSTREAM_KEY" ] && presets_args+=(--api-key-env "127.0.0.1:$emu_port=TS_UPSTREAM_KEY")

# The Azure upstream (classic data plane): probed with --auth azure, its report records the
# mode and api-version, and its presets use LiteLLM's Azure provider.
azure_chat="" azure_emb="" azure_base=""
if [ "${TOUCHSTONE_AZURE:-1}" != 0 ]; then
    azure_port="$(ts_free_port)"
    ts_start "$azure_emu" stdbuf -oL "$touchstone" emulate azure --knob pathPrefix=azureDeployments --port "$azure_port"
    for _ in $(seq 1 120); do
        grep -q '^model: ' "$TS_RUN/$azure_emu.log" && break
        kill -0 "$(cat "$TS_RUN/$azure_emu.pid")" 2>/dev/null || fail "the Azure emulator exited: $(tail -n 5 "$TS_RUN/$azure_emu.log")"
        sleep 0.5
    done
    azure_model="$(sed -n 's/^model: \([^,]*\).*/\1/p' "$TS_RUN/$azure_emu.log" | head -n 1)"
    azure_embedding="$(sed -n 's/^model: .*embedding model: \(.*\)$/\1/p' "$TS_RUN/$azure_emu.log" | head -n 1)"
    export TS_AZURE_KEY="$(sed -n 's/^bearer key[^:]*: \(.*\)$/\1/p' "$TS_RUN/$azure_emu.log" | head -n 1)"
    azure_base="http://127.0.0.1:$azure_port"
    "$touchstone" probe "$azure_base" --auth azure --api-version 2024-10-21 --model "$azure_model" \
        --embedding-model "$azure_embedding" --api-key-env TS_AZURE_KEY \
        --json "$work/azure-report.json" --quiet --fail-on none >"$work/azure-probe.txt"
    presets_args+=("$work/azure-report.json" --api-key-env "127.0.0.1:$azure_port=TS_AZURE_KEY")
    azure_chat="127.0.0.1:$azure_port/$azure_model"
    azure_emb="127.0.0.1:$azure_port/$azure_embedding"
    ts_log "Azure emulator (classic data plane) on port $azure_port: deployment $azure_model"
fi
"$touchstone" "${presets_args[@]}"
ts_log "presets written: $(grep -c 'model_name:' "$work/litellm.yaml") model_list entries"

# 3. The real proxy with the generated config. LiteLLM refuses to start without a master key
#    of its own (a deployment setting, not part of the presets): a fresh random one per run.
export LITELLM_MASTER_KEY="sk-$("$TS_PYTHON" -c 'import secrets; print(secrets.token_hex(32))')"
auth=(-H "Authorization: Bearer $LITELLM_MASTER_KEY")
proxy_port="$(ts_free_port)"
bash "$ROOT/scripts/upstreams/litellm.sh" start "$proxy" "$proxy_port" "$work/litellm.yaml" \
    || fail "litellm did not start with the generated config (log $TS_RUN/$proxy.log)"
base="http://127.0.0.1:$proxy_port"
litellm_version="$(bash "$ROOT/scripts/upstreams/litellm.sh" version)"

# 4. What the proxy serves.
curl -sS --max-time 30 "${auth[@]}" "$base/v1/models" >"$work/models.json" || fail "GET /v1/models"
curl -sS --max-time 30 "${auth[@]}" "$base/model/info" >"$work/model-info.json" || fail "GET /model/info"
chat_name="$("$TS_PYTHON" - "$work/litellm.yaml" <<'PY'
import sys
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("- model_name:") or line.startswith("model_name:"):
        print(line.split(":", 1)[1].strip().strip("'\"")); break
PY
)"
[ -n "$chat_name" ] || fail "no model_name in the generated config"
curl -sS --max-time 60 "${auth[@]}" "$base/v1/chat/completions" -H 'Content-Type: application/json' \
    -d "{\"model\": \"$chat_name\", \"messages\": [{\"role\": \"user\", \"content\": \"Say hello\"}], \"max_tokens\": 8}" \
    >"$work/chat.json" || fail "POST /v1/chat/completions"
curl -sS --max-time 60 -N "${auth[@]}" "$base/v1/chat/completions" -H 'Content-Type: application/json' \
    -d "{\"model\": \"$chat_name\", \"messages\": [{\"role\": \"user\", \"content\": \"Say hello\"}], \"max_tokens\": 8, \"stream\": true}" \
    >"$work/stream.txt" || fail "POST /v1/chat/completions (stream)"
emb_name=""
if [ -n "$embedding_model" ]; then
    emb_name="${chat_name%%/*}/$embedding_model"
    curl -sS --max-time 60 "${auth[@]}" "$base/v1/embeddings" -H 'Content-Type: application/json' \
        -d "{\"model\": \"$emb_name\", \"input\": \"hello\"}" >"$work/embeddings.json" || fail "POST /v1/embeddings"
fi
if [ -n "$azure_chat" ]; then
    curl -sS --max-time 60 "${auth[@]}" "$base/v1/chat/completions" -H 'Content-Type: application/json' \
        -d "{\"model\": \"$azure_chat\", \"messages\": [{\"role\": \"user\", \"content\": \"Say hello\"}], \"max_tokens\": 8}" \
        >"$work/azure-chat.json" || fail "POST /v1/chat/completions (Azure)"
    curl -sS --max-time 60 "${auth[@]}" "$base/v1/embeddings" -H 'Content-Type: application/json' \
        -d "{\"model\": \"$azure_emb\", \"input\": \"hello\"}" >"$work/azure-embeddings.json" || fail "POST /v1/embeddings (Azure)"
fi

"$TS_PYTHON" - "$work" "$chat_name" "$emb_name" "$azure_chat" "$azure_base" <<'PY' || fail "the proxy does not serve the presets (files kept with TOUCHSTONE_KEEP=DIR)"
import json, sys, re
work, chat_name, emb_name, azure_chat, azure_base = sys.argv[1:6]
config_names = re.findall(r"model_name:\s*(\S+)", open(f"{work}/litellm.yaml").read())
config_names = [n.strip("'\"") for n in config_names]
listed = {m["id"] for m in json.load(open(f"{work}/models.json"))["data"]}
missing = [n for n in config_names if n not in listed]
assert not missing, f"/v1/models lacks {missing}; it lists {sorted(listed)}"

info = {m["model_name"]: m.get("model_info", {}) for m in json.load(open(f"{work}/model-info.json"))["data"]}
flags = info[chat_name]
for key in ("supports_function_calling", "supports_parallel_function_calling", "supports_tool_choice",
            "supports_response_schema", "supports_native_streaming"):
    assert key in flags, f"/model/info of {chat_name} lacks {key}: {sorted(flags)}"

chat = json.load(open(f"{work}/chat.json"))
assert isinstance(chat["choices"][0]["message"]["content"], str), f"chat: {chat}"

events = [l[5:].strip() for l in open(f"{work}/stream.txt") if l.startswith("data:")]
assert events and events[-1] == "[DONE]", f"stream: {events[-3:]}"
assert any(json.loads(e)["choices"] and json.loads(e)["choices"][0].get("delta") for e in events[:-1]), "stream: no delta"

if emb_name:
    emb = json.load(open(f"{work}/embeddings.json"))
    assert len(emb["data"][0]["embedding"]) > 0, f"embeddings: {emb}"

if azure_chat:
    report = json.load(open(f"{work}/azure-report.json"))["targets"][0]
    assert report.get("auth") == "azure" and report.get("api_version") == "2024-10-21", \
        f"the Azure report records auth {report.get('auth')!r}, api_version {report.get('api_version')!r}"
    config = open(f"{work}/litellm.yaml").read()
    deployment = azure_chat.split("/", 1)[1]
    assert f"model: azure/{deployment}" in config and f"api_base: {azure_base}\n" in config \
        and "api_version: '2024-10-21'" in config, "no LiteLLM Azure entry with the deployment and api-version"
    # The emulator serves these only on /openai/deployments/D/…?api-version=V with the api-key
    # header, so an answer means LiteLLM's Azure provider reached the deployment route.
    chat = json.load(open(f"{work}/azure-chat.json"))
    assert isinstance(chat["choices"][0]["message"]["content"], str), f"Azure chat: {chat}"
    emb = json.load(open(f"{work}/azure-embeddings.json"))
    assert len(emb["data"][0]["embedding"]) > 0, f"Azure embeddings: {emb}"
    print(f"azure: {azure_chat} (azure/{deployment}, api-version 2024-10-21) answered a chat and an embedding")

print(f"models listed: {len(config_names)}/{len(config_names)}; flags of {chat_name}: "
      + ", ".join(f"{k}={v}" for k, v in sorted(flags.items()) if k.startswith("supports_") and v is not None))
PY
ts_log "ok: litellm $litellm_version loaded the presets of '$personality'${azure_chat:+ and of an Azure upstream} and served chat, streamed chat${emb_name:+ and embeddings} through the proxy"
