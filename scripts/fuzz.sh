#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each for a bounded time (docs/fuzzing.md).
#
#   scripts/fuzz.sh [SECONDS-PER-TARGET] [TARGET...]     default: 60 s, every target
#
# Targets: SSEParser, JSONPath, SuiteLoader, TargetsFile, Expectations. Environment:
#   FUZZ_OUT       where corpora grow and crashes land (default .build-fuzz-run, ignored by git)
#   FUZZ_SCRATCH   the build directory (default .build-fuzz-targets)
#   FUZZ_SANITIZE  `fuzzer,address` (default) or `fuzzer` (faster, no AddressSanitizer)
#   FUZZ_RSS_MB    memory limit per target in MB (default 2048; the YAML readers, whose
#                  alias bombs must be refused before they grow, 1024)
#
# Prints executions per target (libFuzzer's stat::number_of_executed_units) and exits non-zero
# when any target crashed, hung (-timeout) or ran out of memory; the input is kept in
# $FUZZ_OUT/crashes/TARGET/ (turn it into a test in Tests/TouchstoneTests/FuzzRegressionTests.swift).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(SSEParser JSONPath SuiteLoader TargetsFile Expectations); fi
out="${FUZZ_OUT:-.build-fuzz-run}"
scratch="${FUZZ_SCRATCH:-.build-fuzz-targets}"
sanitize="${FUZZ_SANITIZE:-fuzzer,address}"

case "$seconds" in ''|*[!0-9]*) echo "fuzz: SECONDS-PER-TARGET must be a whole number, got '$seconds'" >&2; exit 2 ;; esac
for t in "${targets[@]}"; do
    case "$t" in SSEParser|JSONPath|SuiteLoader|TargetsFile|Expectations) ;;
        *) echo "fuzz: unknown target '$t' (SSEParser, JSONPath, SuiteLoader, TargetsFile, Expectations)" >&2; exit 2 ;;
    esac
done

echo "fuzz: building (release, -sanitize=$sanitize)" >&2
build_start=$(date +%s)
swift build -c release --package-path Fuzz --scratch-path "$scratch" \
    -Xswiftc "-sanitize=$sanitize" -Xswiftc -parse-as-library >&2
bin="$(swift build -c release --package-path Fuzz --scratch-path "$scratch" --show-bin-path \
    -Xswiftc "-sanitize=$sanitize" -Xswiftc -parse-as-library)"
echo "fuzz: built in $(( $(date +%s) - build_start )) s" >&2

# The longest input libFuzzer may generate: suite files are larger than streams and paths.
max_len() { case "$1" in SuiteLoader|TargetsFile|Expectations) echo 16384 ;; *) echo 4096 ;; esac; }
# The memory limit: tighter for the YAML readers, so an alias bomb that grew fails the run.
rss_mb() { case "$1" in SuiteLoader|TargetsFile|Expectations) echo "${FUZZ_RSS_MB:-1024}" ;; *) echo "${FUZZ_RSS_MB:-2048}" ;; esac; }

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}"
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
failed=0
summary=()
for t in "${targets[@]}"; do
    corpus="$out/corpus/$t"
    crashes="$out/crashes/$t"
    log="$out/logs/$t.log"
    mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
    before=$(find "$crashes" -type f | wc -l)
    echo "fuzz: $t for $seconds s (log: $log)" >&2
    status=0
    rss="$(rss_mb "$t")"
    # The first directory is the working corpus (new inputs go there); the seeds are read only.
    "$bin/Fuzz$t" "$corpus" "Fuzz/corpus/$t" \
        -dict="Fuzz/dict/$t.dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb="$rss" \
        -malloc_limit_mb="$rss" -max_len="$(max_len "$t")" -print_final_stats=1 \
        -artifact_prefix="$crashes/" >"$log" 2>&1 || status=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
    units=$(find "$corpus" -type f | wc -l)
    found=$(( $(find "$crashes" -type f | wc -l) - before ))
    verdict="ok"
    if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
        verdict="FAILED (exit $status, $found new input(s) in $crashes)"
        failed=1
        grep -E 'ERROR: libFuzzer|Fatal error|ERROR: AddressSanitizer|SUMMARY' "$log" | head -5 >&2 || true
    fi
    summary+=("$(printf '%-12s %6s s  %10s execs  %7s exec/s  %-22s corpus %5s  %s' \
        "$t" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "$units" "$verdict")")
done

echo "fuzz: results"
for line in "${summary[@]}"; do echo "  $line"; done
if [ "$failed" -ne 0 ]; then
    echo "fuzz: a target failed; reproduce with: $bin/FuzzTARGET CRASH-FILE" >&2
    exit 1
fi
