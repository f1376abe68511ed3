#!/usr/bin/env python3
"""Asserts probe reports against reports/expected.yaml, and that no secret leaked.

    check.py --expected reports/expected.yaml --report llama-jinja=out/llama-jinja/report.json …
             [--secret-env VAR …] [--scan DIR]

Every feature of every report must be covered by an expectation and accepted by it; every
expectation must name a feature the report has. Prints one line per mismatch and ends with
`integration: N passed, N failed`. Exit 0 only when nothing failed.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import expectations  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expected", required=True)
    ap.add_argument("--report", action="append", default=[], metavar="TARGET=FILE")
    ap.add_argument("--secret-env", action="append", default=[])
    ap.add_argument("--scan", action="append", default=[])
    args = ap.parse_args()

    try:
        expected = expectations.load(args.expected)
    except (OSError, expectations.ExpectationsError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    passed = failed = 0
    for spec in args.report:
        name, _, path = spec.partition("=")
        try:
            with open(path, encoding="utf-8") as f:
                report = json.load(f)
            features = report["targets"][0]["features"]
        except (OSError, ValueError, KeyError, IndexError) as e:
            print(f"FAIL {name}: no usable report at {path} ({e})")
            failed += 1
            continue
        rules = expected.get(name)
        if rules is None:
            print(f"FAIL {name}: {args.expected} has no entry for this target")
            failed += 1
            continue
        for feature in sorted(features):
            verdict = features[feature]["verdict"]
            exp = rules.get(feature)
            if exp is None:
                print(f"FAIL {name} {feature}: {verdict}, but {args.expected} says nothing about it")
                failed += 1
            elif exp.accepts(verdict):
                passed += 1
            else:
                print(f"FAIL {name} {feature}: {verdict} ({features[feature].get('detail', '')}); "
                      f"expected {exp.describe()} ({args.expected}:{exp.line}: {exp.reason})")
                failed += 1
        for feature in sorted(set(rules) - set(features)):
            print(f"FAIL {name} {feature}: expected at {args.expected}:{rules[feature].line} but not in the report")
            failed += 1

    # Secrets: the run's keys must appear in no file the run wrote.
    secrets = {v: os.environ[v] for v in args.secret_env if os.environ.get(v)}
    for var, secret in secrets.items():
        leaks = []
        for root in args.scan:
            for folder, _, files in os.walk(root):
                for fn in files:
                    path = os.path.join(folder, fn)
                    try:
                        with open(path, "rb") as f:
                            if secret.encode() in f.read():
                                leaks.append(path)
                    except OSError:
                        continue
        if leaks:
            print(f"FAIL secret: the key in ${var} appears in {', '.join(leaks)}")
            failed += 1
        elif args.scan:
            passed += 1

    print(f"integration: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
