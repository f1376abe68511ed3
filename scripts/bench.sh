#!/usr/bin/env bash
# Runs Touchstone's benchmarks (BENCHMARKS.md): builds the CLI and the benchmark package in
# release mode, sets up a Python venv with the official `openai` SDK (the stream-decoding
# alternative), then runs every benchmark and prints each figure beside its target and the
# alternative measured in the same run. CI never runs this.
#
#   scripts/bench.sh              # everything (about 10 minutes on 2 cores)
#   scripts/bench.sh --only 3,4   # some targets (numbers of issue 6)
#   scripts/bench.sh --quick      # small sizes: checks the harness, figures not meaningful
#   scripts/bench.sh --profile    # callgrind profile of the stream decoder, then exit
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/touchstone"
venv="$cache/bench-venv"
work="$cache/bench"
mkdir -p "$work"

bash "$root/scripts/setup.sh"
command -v curl >/dev/null || { echo "bench: the curl command-line tool is needed" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import openai" 2>/dev/null; then
    echo "bench: creating $venv with the openai SDK" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade openai
fi

echo "bench: building (release)" >&2
# One scratch folder for both: the benchmark package builds the main package's targets anyway.
scratch="$root/Benchmarks/.build"
swift build -c release --package-path "$root/Benchmarks" --scratch-path "$scratch" --product touchstone >&2
swift build -c release --package-path "$root/Benchmarks" --scratch-path "$scratch" >&2
cli="$scratch/release/touchstone"
bench="$scratch/release/touchstone-bench"

if [ "${1:-}" = "--profile" ]; then
    # Instruction counts of the stream decoder (stable on a busy machine). valgrind 3.19 cannot
    # read Swift 6.3's debug info, so profile a copy without it (symbols stay).
    stream="$work/stream-8MB.sse"
    decode="$work/touchstone-decode"
    cp "$scratch/release/touchstone-decode" "$decode" && strip --strip-debug "$decode"
    "$decode" "$stream" 8 1 >/dev/null
    out="$work/callgrind.out"
    valgrind --tool=callgrind --callgrind-out-file="$out" "$decode" "$stream" 8 1 2>&1 | grep -E "refs|MB/s"
    callgrind_annotate "$out" 2>/dev/null | sed -n '/^Ir/,$p' | head -30
    echo "bench: full profile in $out (callgrind_annotate --inclusive=yes $out)" >&2
    exit 0
fi

echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg) (figures are steadier below 1.0)" >&2
exec "$bench" run --touchstone "$cli" --python "$venv/bin/python" --repo "$root" --work "$work" "$@"
