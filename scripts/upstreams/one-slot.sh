#!/usr/bin/env bash
# A single-slot llama-server (-np 1) probed at the default --jobs and at --jobs 1: the
# verdicts must be identical (docs/features.md, "Verdicts that do not depend on the harness").
# Such a server queues requests beyond its one slot, and some builds end a running stream with
# [DONE] and no finish_reason when another request queues; touchstone reads the slot count from
# GET /props and re-runs alone any load-sensitive outcome it saw beside other requests.
#
#   one-slot.sh TOUCHSTONE_BIN OUT_DIR [TIMINGS_FILE]
#
# Starts llama-server (the cached build and Gemma model, see llama.sh) on a free port, probes
# it twice with `touchstone probe`, compares the two JSON reports feature by feature, appends
# both wall times to TIMINGS_FILE (tab-separated, like integration.sh's), stops the server.
# Exits 0 when the verdicts agree, 1 when they differ, 2 on a usage or setup error.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -ge 2 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
TS_BIN="$(realpath "$1")"; mkdir -p "$2"; OUT="$(realpath "$2")"
TIMINGS="$(realpath "${3:-/dev/null}")"
[ -x "$TS_BIN" ] || ts_die "not an executable: $TS_BIN"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

NAME="llama-np1"
PORT="$(ts_free_port)"
MODEL_ALIAS="gemma-3-270m"
scripts/upstreams/llama.sh start "$NAME" "$PORT" --jinja -np 1 -c 2048 --alias "$MODEL_ALIAS" --threads 2
trap 'scripts/upstreams/llama.sh stop "$NAME" || true' EXIT
BASE="http://127.0.0.1:$PORT/v1"

probe_at() {  # probe_at LABEL [touchstone flags...]
    local label="$1"; shift
    local t0=$SECONDS rc=0
    "$TS_BIN" probe "$BASE" --model "$MODEL_ALIAS" --timeout 180 --fail-on none "$@" \
        --json "$OUT/$label.json" >"$OUT/$label.txt" 2>"$OUT/$label.stderr.txt" || rc=$?
    [ "$rc" = 0 ] || { cat "$OUT/$label.stderr.txt" >&2; ts_die "$label: touchstone probe exited $rc"; }
    printf '%s\t%s\n' "probe $NAME ($label)" "$((SECONDS - t0))" >>"$TIMINGS"
    ts_log "== probe $NAME ($label): $((SECONDS - t0)) s"
}
probe_at default-jobs
probe_at jobs-1 --jobs 1

"$TS_PYTHON" - "$OUT/default-jobs.json" "$OUT/jobs-1.json" <<'PY'
import json, sys
def verdicts(path):
    target = json.load(open(path))["targets"][0]
    return target, {f: r["verdict"] for f, r in target["features"].items()}
(a, va), (b, vb) = verdicts(sys.argv[1]), verdicts(sys.argv[2])
print(f"server_slots quirk: default jobs {a['quirks'].get('server_slots')}, jobs 1 {b['quirks'].get('server_slots')}", file=sys.stderr)
differ = sorted(f for f in set(va) | set(vb) if va.get(f) != vb.get(f))
for f in differ:
    print(f"{f}: {va.get(f)} at the default --jobs ({a['features'].get(f, {}).get('detail')}), "
          f"{vb.get(f)} at --jobs 1 ({b['features'].get(f, {}).get('detail')})", file=sys.stderr)
print(f"{len(va)} features, {len(differ)} differ", file=sys.stderr)
sys.exit(1 if differ else 0)
PY
