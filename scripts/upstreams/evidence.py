#!/usr/bin/env python3
"""Sends, with curl, the requests that decide each feature on one real target, and keeps
the transcripts: the curl command (key shown as $KEY, base URL as $BASE), the status, the
telling headers and a response excerpt. They are the evidence reports/<target>/evidence.md
cites for every verdict (docs/real-upstreams.md).

    evidence.py --target NAME --base-url URL --model M [--embedding-model E]
                [--key-env VAR] --out evidence.json

The requests mirror the built-in suites (suites/*.yaml), step for step: same bodies, same
token caps, temperature 0. Keys are passed to curl in a header file, never in its arguments,
and redacted from everything kept.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

BOGUS_KEY = "sk-touchstone-evidence-bogus-key"
PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAj"
       "CB0C8AAAAASUVORK5CYII=")
EXCERPT = 900


def basic(model):
    return {"model": model,
            "messages": [{"role": "user", "content": "Say hello and tell me one short fact about the sea."}],
            "max_tokens": 16, "temperature": 0}


def merged(body, **patch):
    out = json.loads(json.dumps(body))
    out.update(patch)
    return out


def tool(name, desc, params=None):
    return {"type": "function", "function": {"name": name, "description": desc,
                                             "parameters": params or {"type": "object", "properties": {}}}}


ALPHA = tool("get_alpha", "Returns the alpha value.")
BETA = tool("get_beta", "Returns the beta value.")
RECORD = tool("record_code", "Records a code.", {"type": "object",
                                                  "properties": {"code": {"type": "string", "enum": ["ZX-9"]}},
                                                  "required": ["code"]})
SCHEMA = {"type": "object", "properties": {"zq": {"type": "string", "enum": ["XK-7731"]},
                                           "n": {"type": "integer", "enum": [42]}},
          "required": ["zq", "n"], "additionalProperties": False}


def chat(model, text, **extra):
    body = {"model": model, "messages": [{"role": "user", "content": text}], "temperature": 0}
    body.update(extra)
    return body


def plan(model, embed):
    """feature -> list of steps (label, method, path, body | raw str | None, auth, join)."""
    b = basic(model)
    count = chat(model, "Count from 1 to 50, separated by spaces.", max_tokens=1)
    named = chat(model, "Say hello.", tools=[ALPHA, BETA],
                 tool_choice={"type": "function", "function": {"name": "get_beta"}}, max_tokens=48)
    required = chat(model, "Say hello.", tools=[RECORD], tool_choice="required", max_tokens=48)
    p = {
        "models.list": [("list", "GET", "/models", None, "key", "clean")],
        "base_url.trailing_slash": [("doubled", "POST", "/chat/completions", b, "key", "naive")],
        "auth.invalid_key_rejected": [("bogus", "POST", "/chat/completions", b, "bogus", "clean")],
        "chat.basic": [("basic", "POST", "/chat/completions", b, "key", "clean")],
        "chat.usage": [("basic", "POST", "/chat/completions", b, "key", "clean")],
        "chat.system_message": [("system", "POST", "/chat/completions", merged(b, messages=[
            {"role": "system", "content": "You are a terse assistant."},
            {"role": "user", "content": "Say hello and tell me one short fact about the sea."}]), "key", "clean")],
        "chat.multi_turn": [("turns", "POST", "/chat/completions", merged(b, messages=[
            {"role": "user", "content": "My favourite colour is green."},
            {"role": "assistant", "content": "Noted: green."},
            {"role": "user", "content": "What is my favourite colour?"}]), "key", "clean")],
        "chat.max_tokens": [("capped", "POST", "/chat/completions", count, "key", "clean")],
        "chat.max_completion_tokens": [("capped", "POST", "/chat/completions",
                                        chat(model, "Count from 1 to 50, separated by spaces.",
                                             max_completion_tokens=1), "key", "clean")],
        "chat.stop": [("control", "POST", "/chat/completions", b, "key", "clean"),
                      ("probe", "POST", "/chat/completions", "STOP", "key", "clean")],
        "chat.n": [("two", "POST", "/chat/completions", merged(b, n=2, max_tokens=1), "key", "clean")],
        "chat.logprobs": [("logprobs", "POST", "/chat/completions",
                           merged(b, logprobs=True, top_logprobs=2, max_tokens=1), "key", "clean")],
        "chat.reasoning_effort": [
            ("low", "POST", "/chat/completions", merged(b, reasoning_effort="low"), "key", "clean"),
            ("bogus", "POST", "/chat/completions", merged(b, reasoning_effort="bogus-level"), "key", "clean")],
        "chat.image_input": [("image", "POST", "/chat/completions", merged(b, messages=[{"role": "user", "content": [
            {"type": "text", "text": "What colour is this image? One word."},
            {"type": "image_url", "image_url": {"url": PNG}}]}]), "key", "clean")],
        "stream.basic": [("stream", "POST", "/chat/completions", merged(b, stream=True), "key", "clean")],
        "stream.done_sentinel": [("stream", "POST", "/chat/completions", merged(b, stream=True), "key", "clean")],
        "stream.include_usage": [
            ("plain", "POST", "/chat/completions", merged(b, stream=True), "key", "clean"),
            ("usage", "POST", "/chat/completions",
             merged(b, stream=True, stream_options={"include_usage": True}), "key", "clean")],
        "stream.tool_calls": [
            ("named", "POST", "/chat/completions", merged(named, stream=True), "key", "clean"),
            ("required", "POST", "/chat/completions", merged(required, stream=True), "key", "clean")],
        "tools.basic": [("call", "POST", "/chat/completions",
                         chat(model, "Call the get_alpha tool now.", tools=[ALPHA], max_tokens=48), "key", "clean")],
        "tools.parallel": [("both", "POST", "/chat/completions",
                            chat(model, "Call both tools now: get_alpha and get_beta.", tools=[ALPHA, BETA],
                                 tool_choice="required", max_tokens=48), "key", "clean")],
        "tools.result_roundtrip": [("roundtrip", "POST", "/chat/completions", {
            "model": model, "messages": [
                {"role": "user", "content": "Call the get_alpha tool now."},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "abc123xyz", "type": "function", "function": {"name": "get_alpha", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "abc123xyz", "content": "alpha = 42"}],
            "tools": [ALPHA], "max_tokens": 16, "temperature": 0}, "key", "clean")],
        "tool_choice.auto": [("auto", "POST", "/chat/completions",
                              chat(model, "Call the get_alpha tool now.", tools=[ALPHA], max_tokens=48,
                                   tool_choice="auto"), "key", "clean")],
        "tool_choice.none": [("none", "POST", "/chat/completions",
                              chat(model, "Call record_code now.", tools=[RECORD], tool_choice="none",
                                   max_tokens=48), "key", "clean")],
        "tool_choice.required": [("call", "POST", "/chat/completions", required, "key", "clean")],
        "tool_choice.named": [("call", "POST", "/chat/completions", named, "key", "clean")],
        "response_format.json_object": [("json", "POST", "/chat/completions", {
            "model": model, "messages": [{"role": "system", "content": "Reply in JSON."},
                                         {"role": "user", "content": "Say hello."}],
            "response_format": {"type": "json_object"}, "max_tokens": 48, "temperature": 0}, "key", "clean")],
        "response_format.json_schema": [("schema", "POST", "/chat/completions", chat(
            model, "Say hello.", max_tokens=48, response_format={
                "type": "json_schema", "json_schema": {"name": "touchstone_probe", "strict": True, "schema": SCHEMA}}),
            "key", "clean")],
        "responses.basic": [("response", "POST", "/responses",
                             {"model": model, "input": "Say hello.", "max_output_tokens": 16}, "key", "clean")],
        "completions.legacy": [("completion", "POST", "/completions",
                                {"model": model, "prompt": "1, 2, 3,", "max_tokens": 4, "temperature": 0},
                                "key", "clean")],
        "errors.unknown_model": [("unknown", "POST", "/chat/completions",
                                  merged(b, model="touchstone-no-such-model-zz9"), "key", "clean")],
        "errors.invalid_json": [("invalid", "POST", "/chat/completions", "{", "key", "clean")],
        "errors.missing_messages": [("missing", "POST", "/chat/completions",
                                     {"model": model, "max_tokens": 4}, "key", "clean")],
        # errors.envelope is decided from the error bodies of the requests above; the
        # transcript repeats the ones that give a 4xx/5xx on this target.
        "errors.envelope": [],
    }
    if embed:
        one = {"model": embed, "input": "hello"}
        p.update({
            "embeddings.basic": [("one", "POST", "/embeddings", one, "key", "clean")],
            "embeddings.batch": [("batch", "POST", "/embeddings",
                                  {"model": embed, "input": ["alpha", "beta"]}, "key", "clean")],
            "embeddings.base64": [("float", "POST", "/embeddings", one, "key", "clean"),
                                  ("base64", "POST", "/embeddings", merged(one, encoding_format="base64"),
                                   "key", "clean")],
            "embeddings.dimensions": [("eight", "POST", "/embeddings", merged(one, dimensions=8), "key", "clean")],
        })
    return p


def stop_piece(content):
    """A short piece of the control's content that does not start it (like the suite's
    stop_piece extractor): the first later word of 3+ letters, else a few middle characters."""
    words = re.findall(r"[A-Za-z]{3,}", content or "")
    for w in words[1:]:
        if not content.startswith(w) and content.find(w) > 0:
            return w
    if content and len(content) > 4:
        return content[len(content) // 2: len(content) // 2 + 3]
    return None


def shell_quote(s):
    return "'" + s.replace("'", "'\"'\"'") + "'"


class Sender:
    def __init__(self, base, key):
        self.base = base.rstrip("/")
        self.key = key
        self.tmp = tempfile.mkdtemp(prefix="touchstone-evidence-")

    def redact(self, text):
        if self.key:
            text = text.replace(self.key, "$KEY")
        return text

    def send(self, method, path, body, auth, join):
        url = (self.base + "/" + path) if join == "naive" else (self.base + path)
        shown_url = ("$BASE/" + path) if join == "naive" else ("$BASE" + path)
        raw = body if isinstance(body, str) else (json.dumps(body, separators=(",", ":")) if body is not None else None)
        headers = []
        shown = ["curl", "-sS"]
        if method != "GET" or raw is not None:
            shown += ["-X", method]
        shown.append('"' + shown_url + '"')
        if auth == "key" and self.key:
            headers.append(f"Authorization: Bearer {self.key}")
            shown += ["-H", '"Authorization: Bearer $KEY"']
        elif auth == "bogus":
            headers.append(f"Authorization: Bearer {BOGUS_KEY}")
            shown += ["-H", shell_quote(f"Authorization: Bearer {BOGUS_KEY}")]
        if raw is not None:
            headers.append("Content-Type: application/json")
            shown += ["-H", shell_quote("Content-Type: application/json"), "-d", shell_quote(raw)]
        fd, hfile = tempfile.mkstemp(dir=self.tmp)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("\n".join(headers) + "\n")
        cmd = ["curl", "-sS", "-i", "--max-time", "300", "-X", method, url, "-H", "@" + hfile]
        if raw is not None:
            cmd += ["--data-binary", "@-"]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, input=(raw or "").encode(), capture_output=True)
        elapsed = round((time.monotonic() - t0) * 1000)
        os.unlink(hfile)
        out = proc.stdout.decode("utf-8", "replace")
        status, head, payload = parse_http(out)
        return {
            "curl": self.redact(" ".join(shown)),
            "status": status,
            "error": self.redact(proc.stderr.decode("utf-8", "replace").strip()) or None,
            "headers": {k: self.redact(v) for k, v in head.items()
                        if k in ("content-type", "server", "location", "www-authenticate")},
            "body": payload,
            "elapsed_ms": elapsed,
        }


def parse_http(out):
    """Splits curl -i output into (status, headers, body); skips 100 Continue blocks."""
    status, head, rest = None, {}, out
    while rest.startswith("HTTP/"):
        block, sep, rest = rest.partition("\r\n\r\n")
        if not sep:
            block, sep, rest = rest.partition("\n\n")
        lines = block.splitlines()
        status = int(lines[0].split()[1]) if len(lines[0].split()) > 1 else None
        head = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            head[k.strip().lower()] = v.strip()
        if status != 100:
            break
    return status, head, rest


def excerpt(result):
    """The part of a response body worth reading: JSON compacted with llama.cpp's timings
    elided, or for a stream its first events, last events and event count."""
    body = result["body"]
    ctype = result["headers"].get("content-type", "")
    if "text/event-stream" in ctype:
        lines = [l for l in body.splitlines() if l.strip()]
        data = [l for l in lines if l.startswith("data:")]
        others = sorted({l.split(":", 1)[0] for l in lines if not l.startswith("data:")})
        shown = lines if len(lines) <= 7 else lines[:3] + [f"… ({len(lines) - 6} more lines) …"] + lines[-3:]
        shown = [elide_line(l) for l in shown]
        note = f"[{len(data)} data lines" + (f"; other fields: {', '.join(others)}" if others else "") + "]"
        return "\n".join(shown + [note])
    try:
        doc = json.loads(body)
    except ValueError:
        return body[:EXCERPT] + ("…" if len(body) > EXCERPT else "")
    return cap(json.dumps(trim(doc), separators=(",", ":"), ensure_ascii=False))


def elide_line(line):
    if line.startswith("data:") and line[5:].strip().startswith("{"):
        try:
            return "data: " + cap(json.dumps(trim(json.loads(line[5:])), separators=(",", ":"), ensure_ascii=False), 400)
        except ValueError:
            pass
    return cap(line, 400)


def trim(doc):
    if isinstance(doc, dict):
        out = {}
        for k, v in doc.items():
            if k == "timings":
                out[k] = "…"
            elif k == "embedding" and isinstance(v, list) and len(v) > 4:
                out[k] = v[:3] + [f"… {len(v)} numbers"]
            elif k == "embedding" and isinstance(v, str) and len(v) > 40:
                out[k] = v[:32] + f"… ({len(v)} base64 chars)"
            elif k == "top_logprobs" or k == "bytes":
                out[k] = v
            else:
                out[k] = trim(v)
        return out
    if isinstance(doc, list):
        if len(doc) > 6 and all(isinstance(x, (int, float)) for x in doc):
            return doc[:3] + [f"… {len(doc)} numbers"]
        return [trim(x) for x in doc]
    return doc


def cap(text, n=EXCERPT):
    return text if len(text) <= n else text[:n] + "…"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--embedding-model")
    ap.add_argument("--key-env")
    ap.add_argument("--out", required=True)
    ap.add_argument("--jobs", type=int, default=4, help="requests in flight at once")
    args = ap.parse_args()
    key = os.environ.get(args.key_env, "") if args.key_env else ""
    if args.key_env and not key:
        sys.exit(f"evidence.py: ${args.key_env} is not set")
    sender = Sender(args.base_url, key)
    steps_by_feature = plan(args.model, args.embedding_model)
    # Identical requests are sent once, as the prober does; independent ones go out
    # together (as many as the server has slots), the stop probe after its control.
    cache = {}

    def ident(method, path, body, auth, join):
        return json.dumps([method, path, body, auth, join], sort_keys=True)

    pending = {}
    for steps in steps_by_feature.values():
        for _, method, path, body, auth, join in steps:
            if body != "STOP":
                pending.setdefault(ident(method, path, body, auth, join), (method, path, body, auth, join))
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {k: pool.submit(sender.send, *v) for k, v in pending.items()}
        for k, f in futures.items():
            cache[k] = f.result()

    features = {}
    errors_seen = []
    for feature, steps in steps_by_feature.items():
        records = []
        control_content = None
        for label, method, path, body, auth, join in steps:
            if body == "STOP":
                piece = stop_piece(control_content or "")
                if piece is None:
                    records.append({"step": label, "note": "no stop piece could be cut from the control"})
                    continue
                body = merged(basic(args.model), stop=[piece])
            key_ = ident(method, path, body, auth, join)
            if key_ not in cache:
                cache[key_] = sender.send(method, path, body, auth, join)
            r = cache[key_]
            rec = {"step": label, "curl": r["curl"], "status": r["status"], "headers": r["headers"],
                   "elapsed_ms": r["elapsed_ms"], "excerpt": sender.redact(excerpt(r))}
            if r["error"]:
                rec["error"] = r["error"]
            records.append(rec)
            if label == "control":
                try:
                    control_content = json.loads(r["body"])["choices"][0]["message"]["content"]
                except (ValueError, KeyError, IndexError, TypeError):
                    control_content = None
            if path == "/chat/completions" and join == "clean" and r["status"] and r["status"] >= 400:
                if key_ not in [e[0] for e in errors_seen]:
                    errors_seen.append((key_, feature, rec))
        features[feature] = records
    features["errors.envelope"] = [dict(rec, step=f"{feature}/{rec['step']}") for _, feature, rec in errors_seen]
    doc = {"target": args.target, "base": "$BASE = " + re.sub(r":\d+/", ":PORT/", args.base_url),
           "features": features}
    text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)
    if key and key in text:
        sys.exit("evidence.py: refusing to write evidence that holds the key")
    shutil.rmtree(sender.tmp, ignore_errors=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
