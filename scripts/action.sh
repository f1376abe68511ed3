#!/usr/bin/env bash
# The step behind action.yml: turns the action's inputs (INPUT_* variables) into one
# `touchstone probe` or `touchstone run`, writes every report into INPUT_OUTPUT_DIR, sets the
# step's outputs and job summary, and exits with touchstone's exit code.
#
# The binary: $TOUCHSTONE_BIN, else `touchstone` on PATH, else the container image built from
# this repository's Dockerfile (needs docker on the runner; no Swift toolchain).
# Runs the same outside GitHub (tests and local tries): GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
# are optional.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "touchstone action: $*" >&2; exit 2; }
base="${INPUT_BASE_URL:-}"
targets="${INPUT_TARGETS:-}"
out="${INPUT_OUTPUT_DIR:-touchstone-reports}"
[ -n "$base" ] || [ -n "$targets" ] || die "give \`base-url\` (with \`model\`) or \`targets\`"
[ -z "$base" ] || [ -z "$targets" ] || die "give either \`base-url\` or \`targets\`, not both"
if [ -n "${INPUT_API_KEY_ENV:-}" ]; then
    [[ "${INPUT_API_KEY_ENV}" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] \
        || die "\`api-key-env\` is the NAME of an environment variable holding the key (letters, digits, _), not the key"
fi
mkdir -p "$out"

args=()
if [ -n "$targets" ]; then
    args+=(run --targets "$targets")
else
    args+=(probe "$base")
    [ -z "${INPUT_MODEL:-}" ] || args+=(--model "$INPUT_MODEL")
    [ -z "${INPUT_EMBEDDING_MODEL:-}" ] || args+=(--embedding-model "$INPUT_EMBEDDING_MODEL")
    [ -z "${INPUT_API_KEY_ENV:-}" ] || args+=(--api-key-env "$INPUT_API_KEY_ENV")
fi
args+=(--json "$out/report.json" --junit "$out/junit.xml" --markdown "$out/matrix.md" --html "$out/matrix.html")
if [ -n "${INPUT_EXPECT:-}" ]; then args+=(--expect "$INPUT_EXPECT"); else args+=(--fail-on "${INPUT_FAIL_ON:-ignored,broken}"); fi
if [ -n "${INPUT_ARGS:-}" ]; then
    # Split like a shell would, without running anything in it.
    eval "extra=($(printf '%s' "$INPUT_ARGS" | python3 -c 'import shlex,sys; print(" ".join(shlex.quote(a) for a in shlex.split(sys.stdin.read())))'))"
    args+=("${extra[@]}")
fi

if [ -n "${TOUCHSTONE_BIN:-}" ]; then
    cmd=("$TOUCHSTONE_BIN")
elif command -v touchstone >/dev/null 2>&1; then
    cmd=(touchstone)
else
    command -v docker >/dev/null 2>&1 || die "no touchstone on PATH and no docker to build the image"
    docker build -q -t touchstone-action "$here" >/dev/null
    envs=()
    [ -z "${INPUT_API_KEY_ENV:-}" ] || envs+=(-e "$INPUT_API_KEY_ENV")
    cmd=(docker run --rm --network host --user "$(id -u):$(id -g)" -v "$PWD:$PWD" -w "$PWD" "${envs[@]}" touchstone-action)
fi

set +e
"${cmd[@]}" "${args[@]}"
code=$?
set -e

if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
        echo "json=$out/report.json"
        echo "junit=$out/junit.xml"
        echo "markdown=$out/matrix.md"
        echo "html=$out/matrix.html"
        echo "exit-code=$code"
    } >>"$GITHUB_OUTPUT"
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$out/matrix.md" ]; then
    cat "$out/matrix.md" >>"$GITHUB_STEP_SUMMARY"
fi
exit "$code"
