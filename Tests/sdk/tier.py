"""The SDK tier: the official OpenAI Python SDK against every emulator personality.

For each personality: start `touchstone emulate NAME --port 0`, run every client check
(checks.py) and the documented-parameter sweep (sweep.py), stop it. Then probe the same
personalities with `touchstone probe --emulate … --json` and compare: a check that fails in the
SDK must meet a non-`supported` Touchstone verdict for its feature, or Touchstone would be
confidently wrong about what a client experiences.

Fails (exit 1) on: any SDK failure or sweep deviation on the reference; any mismatch on any
personality; a known gap that no longer fails on the reference (remove it from the list).
Run through scripts/sdk-tier.sh, which provides the pinned SDK.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import openai

import checks
import emulated
import sweep

# Checks the reference is known to fail (printed as gaps, not failures; the tier fails when one
# starts passing, so the list cannot go stale). Empty: the reference passes every check.
KNOWN_GAPS: set[str] = set()

# (personality, check) pairs where the SDK fails and Touchstone says `supported`, accepted for a
# stated reason. Printed, not counted; the tier fails when one no longer fails. Empty.
KNOWN_MISMATCHES: dict = {}

# Served but never compared: the reference with latency adds nothing for a client.
SKIPPED = {"reference-slow"}


def personalities(touchstone: str) -> list:
    out = subprocess.run([touchstone, "emulate", "--list"], capture_output=True, text=True, check=True).stdout
    names = []
    for line in out.splitlines():
        if line.startswith("Fault personalities"):
            break
        if line.strip():
            names.append(line.split()[0])
    return [n for n in names if n not in SKIPPED]


def run_personality(touchstone: str, name: str) -> dict:
    served = emulated.start(touchstone, name)
    try:
        def client(key):
            return openai.OpenAI(base_url=served.base_url, api_key=key, max_retries=0, timeout=15)

        ctx = checks.Context(client(served.api_key or "sk-no-key-needed"), client("sk-touchstone-sdk-bogus-key"),
                             served.base_url, served.api_key, served.model, served.embedding_model, {})
        results = {}
        for check in checks.CHECKS:
            try:
                results[check.id] = {"ok": True, "text": check.run(ctx)}
            except Exception as e:  # noqa: BLE001 - every failure is a result
                results[check.id] = {"ok": False, "text": describe(e)}
        sweep_results = {case.id: sweep.run(case, ctx.client, served.model, served.embedding_model)
                         for case in sweep.CASES}
        return {"checks": results, "sweep": sweep_results}
    finally:
        served.stop()


def describe(e: Exception) -> str:
    """One line for a failure, with generated ids elided so that the docs do not change run to run."""
    if isinstance(e, openai.APIStatusError):
        message = e.body.get("message") if isinstance(e.body, dict) else None
        text = f"{type(e).__name__} {e.status_code}: {message or str(e)}"
    else:
        text = f"{type(e).__name__}: {e}".replace("\n", " ")
    return re.sub(r"\b(resp|msg|chatcmpl|cmpl|call)([-_])[A-Za-z0-9]{8,}", r"\1\2…", text)[:160]


def touchstone_verdicts(touchstone: str, names: list) -> dict:
    """name → feature → (verdict, detail), from one `probe --emulate a,b,… --json` run."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        subprocess.run([touchstone, "probe", "--emulate", ",".join(names), "--quiet", "--fail-on", "none",
                        "--json", report], check=True, stdout=subprocess.DEVNULL)
        with open(report) as f:
            data = json.load(f)
    return {t["name"]: {fid: (r["verdict"], r.get("detail", "")) for fid, r in t["features"].items()}
            for t in data["targets"]}


def compare(name: str, result: dict, verdicts: dict) -> dict:
    """Failures, mismatches, known gaps and (reference only) sweep deviations of one personality."""
    failures, mismatches, gaps, stale = [], [], [], []
    for check in checks.CHECKS:
        r = result["checks"][check.id]
        verdict = verdicts.get(check.feature, ("—", ""))[0] if check.feature else "—"
        if r["ok"]:
            if check.id in KNOWN_GAPS and name == "reference":
                stale.append(check.id)
            continue
        row = (check.id, check.feature or "—", verdict, r["text"])
        if check.id in KNOWN_GAPS:
            gaps.append(row)
            continue
        failures.append(row)
        if verdict == "supported" and (name, check.id) not in KNOWN_MISMATCHES:
            mismatches.append(row)
    for (who, cid), why in KNOWN_MISMATCHES.items():
        if who == name and result["checks"][cid]["ok"]:
            stale.append(cid)
    deviations = []
    if name == "reference":
        for case in sweep.CASES:
            outcome = result["sweep"][case.id]
            if not sweep.matches(case, outcome) and case.id not in sweep.KNOWN_GAPS:
                deviations.append((case.id, case.expected, outcome))
    return {"failures": failures, "mismatches": mismatches, "gaps": gaps, "stale": stale, "deviations": deviations}


def sweep_agreement(result: dict) -> str:
    same = sum(sweep.matches(c, result["sweep"][c.id]) for c in sweep.CASES)
    return f"{same}/{len(sweep.CASES)}"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(version: str, results: dict, verdicts: dict, comparisons: dict) -> str:
    lines = [
        "# The SDK tier",
        "",
        "<!-- Generated by `scripts/sdk-tier.sh --write-docs`; do not edit by hand. -->",
        "",
        f"The official OpenAI Python SDK (`openai=={version}`) run against every emulator personality by",
        "`scripts/sdk-tier.sh` (checks in `Tests/sdk/`). Every raw body is validated with the SDK's own",
        "types in pydantic's strict mode (`model_validate(body, strict=True)`), streams are read with the",
        "SDK's helpers (`chat.completions.stream`, `responses.stream`) and with the README's plain loop",
        "(`for chunk in stream: chunk.choices[0].delta`), and a sweep of documented parameters checks",
        "OpenAI's answers (accepted, or the same 400). Each check names the Touchstone feature it",
        "exercises; a check that fails in the SDK must meet a verdict other than `supported` from",
        "`touchstone probe --emulate` for that feature, or the tier fails. On the reference every check",
        "must pass and every sweep case must get OpenAI's answer.",
        "",
        "Run it with `scripts/sdk-tier.sh` (`--only a,b` for some personalities, `--write-docs` to",
        "regenerate this page); CI runs it after the unit tests. It needs no input: the SDK is installed",
        "once into a virtual environment under `${TOUCHSTONE_CACHE:-$HOME/.cache/touchstone}/sdk-venv/`",
        "(about a minute cold on the CI machine; a warm run takes about 20 s for all personalities).",
        "Known gaps and known mismatches are lists in `Tests/sdk/tier.py` and `Tests/sdk/sweep.py`; the",
        "tier fails when one of them stops failing, so that it is removed and then held like the rest.",
        "",
        "## Personality × SDK outcome × Touchstone verdict",
        "",
        "| personality | SDK checks passed | sweep as OpenAI | SDK failures → Touchstone verdict of the feature | mismatches |",
        "|---|---|---|---|---|",
    ]
    for name, result in results.items():
        comp = comparisons[name]
        ok = sum(r["ok"] for r in result["checks"].values())
        def failure(cid, feat, verdict):
            if feat == "—":
                return f"`{cid}` (no feature)"
            known = " (known mismatch)" if (name, cid) in KNOWN_MISMATCHES else ""
            return f"`{cid}` → {feat}: **{verdict}**{known}"
        fails = "<br>".join(failure(cid, feat, verdict) for cid, feat, verdict, _ in comp["failures"]) or "—"
        gaps = f" ({len(comp['gaps'])} known gaps)" if comp["gaps"] else ""
        lines.append(f"| {name} | {ok}/{len(checks.CHECKS)}{gaps} | {sweep_agreement(result)} | {fails} | "
                     f"{len(comp['mismatches']) or '—'} |")
    lines += [
        "",
        "A check with no feature has none in Touchstone (the newer tool shapes `allowed_tools` and custom",
        "tools; `n`, `echo` and `logprobs` on `/completions`, which Touchstone probes on chat only): it is",
        "shown, not compared. Known gaps (below) are listed apart and not counted as failures.",
        "",
        "## Known gaps",
        "",
        "Checks that fail on this branch for a reason tracked elsewhere: " +
        (", ".join(f"`{g}`" for g in sorted(KNOWN_GAPS)) or "none") +
        "; sweep cases " +
        (", ".join(f"`{g}`" for g in sorted(sweep.KNOWN_GAPS)) or "none") + ".",
        "",
        "Known mismatches (the SDK fails where Touchstone says `supported`): " + ("; ".join(f"{p} `{c}`: {why}" for (p, c), why in sorted(KNOWN_MISMATCHES.items())) or "none") + ".",
        "",
        "## The reference, check by check",
        "",
        "| check | feature | SDK outcome |",
        "|---|---|---|",
    ]
    for check in checks.CHECKS:
        r = results["reference"]["checks"][check.id] if "reference" in results else None
        if r is None:
            continue
        outcome = ("ok: " if r["ok"] else "**failed**: ") + r["text"]
        if not r["ok"] and check.id in KNOWN_GAPS:
            outcome = "known gap: " + r["text"]
        lines.append(f"| `{check.id}` | {check.feature or '—'} | {cell(outcome)} |")
    if "reference" in results:
        lines += ["", "## The parameter sweep on the reference", "",
                  "| case | endpoint | OpenAI | reference |", "|---|---|---|---|"]
        for case in sweep.CASES:
            outcome = results["reference"]["sweep"][case.id]
            expected = case.expected if case.expected == sweep.ACCEPTED else "400 " + case.expected.replace("|", " or ")
            mark = "" if sweep.matches(case, outcome) else (" (known gap)" if case.id in sweep.KNOWN_GAPS else " **≠**")
            lines.append(f"| {cell(case.id)} | {case.endpoint} | {expected} | {cell(outcome)}{mark} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--touchstone", required=True, help="the touchstone binary")
    parser.add_argument("--only", help="comma-separated personalities (default: all but reference-slow)")
    parser.add_argument("--write-docs", metavar="FILE", help="write the comparison as Markdown here")
    args = parser.parse_args()

    names = args.only.split(",") if args.only else personalities(args.touchstone)
    start = time.monotonic()
    results = {}
    for name in names:
        results[name] = run_personality(args.touchstone, name)
        ok = sum(r["ok"] for r in results[name]["checks"].values())
        print(f"{name}: {ok}/{len(checks.CHECKS)} checks, sweep {sweep_agreement(results[name])} as OpenAI", flush=True)
    verdicts = touchstone_verdicts(args.touchstone, names)
    comparisons = {n: compare(n, results[n], verdicts.get(n, {})) for n in names}

    print()
    print(f"Known gaps (checks): {', '.join(sorted(KNOWN_GAPS)) or 'none'}")
    print(f"Known gaps (sweep):  {', '.join(sorted(sweep.KNOWN_GAPS)) or 'none'}")
    print(f"Known mismatches: {', '.join(f'{p}/{c}' for p, c in sorted(KNOWN_MISMATCHES)) or 'none'}")
    problems = 0
    for name in names:
        comp = comparisons[name]
        print(f"\n== {name}")
        for check in checks.CHECKS:
            r = results[name]["checks"][check.id]
            tag = "ok" if r["ok"] else ("known gap" if check.id in KNOWN_GAPS else "FAIL")
            verdict = verdicts.get(name, {}).get(check.feature, ("—", ""))[0] if check.feature else "—"
            print(f"  {check.id:28} {tag:9} [{check.feature or '—'}: {verdict}] {r['text']}")
        for cid, feature, verdict, text in comp["mismatches"]:
            print(f"  MISMATCH {cid}: the SDK fails ({text}) but Touchstone says {feature} is {verdict}")
            problems += 1
        for (who, cid), why in KNOWN_MISMATCHES.items():
            if who == name and cid not in comp["stale"]:
                print(f"  known mismatch {cid}: {why}")
        if name != "reference":
            for cid in comp["stale"]:
                print(f"  STALE KNOWN MISMATCH {cid}: it passes now; remove it from KNOWN_MISMATCHES")
                problems += 1
        if name == "reference":
            for cid, feature, verdict, text in comp["failures"]:
                print(f"  REFERENCE FAILURE {cid}: {text}")
                problems += 1
            for case_id, expected, outcome in comp["deviations"]:
                openai_answer = expected if expected == sweep.ACCEPTED else "400 " + expected.replace("|", " or ")
                print(f"  SWEEP {case_id}: OpenAI gives {openai_answer}, the reference gives {outcome}")
                problems += 1
            for cid in comp["stale"]:
                print(f"  STALE KNOWN GAP {cid}: it passes now; remove it from KNOWN_GAPS")
                problems += 1
            for case in sweep.CASES:
                if case.id in sweep.KNOWN_GAPS and sweep.matches(case, results[name]["sweep"][case.id]):
                    print(f"  STALE KNOWN GAP (sweep) {case.id}: it passes now; remove it from sweep.KNOWN_GAPS")
                    problems += 1

    if args.write_docs:
        with open(args.write_docs, "w") as f:
            f.write(markdown(openai.__version__, results, verdicts, comparisons))
        print(f"\nwrote {args.write_docs}")
    print(f"\nSDK tier: {len(names)} personalities, {problems} problem(s), {time.monotonic() - start:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
