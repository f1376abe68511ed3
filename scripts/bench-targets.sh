#!/usr/bin/env bash
# Many targets in one run (BENCHMARKS.md § Many targets in one run). N targets in one targets
# file, all pointing at one zero-latency emulator (`touchstone emulate reference`, a process of
# its own), probed by `touchstone run --fail-on none --json`: wall time and peak RSS (from
# `/usr/bin/time -v`), the JSON report's size, the load average. Then N targets on a refused
# port, and a sharded run merged against the unsharded one (must be equal but for times).
#
#   scripts/bench-targets.sh                          # builds the CLI (release), default sizes
#   scripts/bench-targets.sh --cli PATH --base PATH   # compare two binaries (e.g. main's build)
#   scripts/bench-targets.sh --sizes "1 100" --refused 0 --shards 0
#
# Prints one Markdown row per figure. CI never runs this.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli=""
base=""
sizes="1 100 400 1000"
refused=2000
shards=1000
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --cli) cli="$2"; shift 2 ;;
        --base) base="$2"; shift 2 ;;
        --sizes) sizes="$2"; shift 2 ;;
        --refused) refused="$2"; shift 2 ;;
        --shards) shards="$2"; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        *) echo "bench-targets: unknown argument $1" >&2; exit 2 ;;
    esac
done
if [ -z "$cli" ]; then
    swift build -c release --package-path "$root" --product touchstone >&2
    cli="$root/.build/release/touchstone"
fi
[ -x /usr/bin/time ] || { echo "bench-targets: /usr/bin/time (GNU time) is needed" >&2; exit 1; }

work="$(mktemp -d)"
emu_pid=""
cleanup() { [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# One emulator for every target.
"$cli" emulate reference >"$work/emu.out" 2>&1 &
emu_pid=$!
for _ in $(seq 100); do grep -q '^serving' "$work/emu.out" 2>/dev/null && break; sleep 0.1; done
url="$(sed -n 's/^serving `reference` at //p' "$work/emu.out")"
[ -n "$url" ] || { echo "bench-targets: the emulator did not start" >&2; cat "$work/emu.out" >&2; exit 1; }
export BENCH_EMU_KEY=sk-emulator-reference

# A port nothing listens on: bound, then closed.
dead="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

targets() {  # N URL FILE
    { echo "targets:"
      for i in $(seq -w 1 "$1"); do
          echo "  t$i: {base_url: $2, model: emulator-chat, embedding_model: emulator-embed, api_key_env: BENCH_EMU_KEY}"
      done; } >"$3"
}

# Runs one `touchstone run`; prints "wall_s peak_mib report_bytes exit".
measure() {  # CLI FILE OUT.json [more args]
    local bin="$1" file="$2" out="$3"; shift 3
    local rc=0
    /usr/bin/time -v -o "$work/time.txt" "$bin" run --targets "$file" --fail-on none --quiet --json "$out" "$@" \
        >/dev/null 2>"$work/err.txt" || rc=$?
    local wall rss
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time.txt")"
    rss="$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$work/time.txt")"
    echo "$wall $rss $(stat -c %s "$out" 2>/dev/null || echo 0) $rc"
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "| binary | targets | upstream | wall s | peak RSS MiB | JSON report | exit | load |"
echo "|---|---|---|---|---|---|---|---|"
for n in $sizes; do
    targets "$n" "$url" "$work/t$n.yaml"
    for bin in $base $cli; do
        name=$([ "$bin" = "$cli" ] && echo new || echo base)
        read -r wall rss size rc < <(measure "$bin" "$work/t$n.yaml" "$work/$name-$n.json" "${extra[@]}")
        echo "| $name | $n | emulator | $wall | $rss | $((size / 1024)) KB | $rc | $(load) |"
    done
done
if [ "$refused" -gt 0 ]; then
    targets "$refused" "http://127.0.0.1:$dead/v1" "$work/dead.yaml"
    for bin in $base $cli; do
        name=$([ "$bin" = "$cli" ] && echo new || echo base)
        read -r wall rss size rc < <(measure "$bin" "$work/dead.yaml" "$work/$name-dead.json" "${extra[@]}")
        echo "| $name | $refused | refused port | $wall | $rss | $((size / 1024)) KB | $rc | $(load) |"
    done
fi

if [ "$shards" -gt 0 ]; then
    # Sharding stays exact: two shards merged equal the unsharded run, times aside.
    targets "$shards" "$url" "$work/s.yaml"
    "$cli" run --targets "$work/s.yaml" --fail-on none --quiet --json "$work/whole.json" >/dev/null
    "$cli" run --targets "$work/s.yaml" --fail-on none --quiet --shard 1/2 --json "$work/s1.json" >/dev/null
    "$cli" run --targets "$work/s.yaml" --fail-on none --quiet --shard 2/2 --json "$work/s2.json" >/dev/null
    "$cli" merge "$work/s1.json" "$work/s2.json" --json "$work/merged.json" >/dev/null
    python3 - "$work/whole.json" "$work/merged.json" <<'EOF'
import json, sys
def norm(path):
    r = json.load(open(path))
    out = []
    for t in r["targets"]:
        s = dict(t["stats"]); s.pop("wall_seconds")
        feats = {k: (v["verdict"], v["detail"], v["case"], len(v["evidence"])) for k, v in t["features"].items()}
        out.append((t["name"], t["base_url"], t["model"], json.dumps(t["quirks"], sort_keys=True), json.dumps(s, sort_keys=True), json.dumps(feats, sort_keys=True)))
    return out
a, b = norm(sys.argv[1]), norm(sys.argv[2])
same = a == b
diff = sum(1 for x, y in zip(a, b) if x != y) + abs(len(a) - len(b))
print(f"| shards | {len(a)} targets, 2 shards merged vs unsharded | {'equal' if same else 'DIFFERENT'} | {diff} target(s) differ |")
EOF
fi
