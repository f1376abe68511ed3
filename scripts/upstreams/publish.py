#!/usr/bin/env python3
"""Regenerates reports/ from one integration run (scripts/integration.sh --publish).

    publish.py --run RUN_OUT --reports reports --expected reports/expected.yaml --timings T.tsv

Writes, for each real target, reports/<target>/{report.json, junit.xml, table.md,
meta.json, evidence.md}; then reports/proxy-vs-server.md (LiteLLM against the llama-server
it fronts), reports/emulator-vs-real.md (each emulator personality against the real server
it models) and reports/README.md (index, metadata, timings). Files are replaced atomically.
"""
import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import expectations  # noqa: E402

TARGETS = {
    "llama-jinja": "llama-server `--jinja`",
    "llama-embed": "llama-server `--embeddings --pooling mean --api-key`",
    "litellm-proxy": "LiteLLM proxy (master key) in front of llama-jinja",
}
MODEL_MARK = "⚙"


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def features_of(report):
    return report["targets"][0]["features"]


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def fence(text, lang=""):
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{lang}\n{text}\n{ticks}\n"


def evidence_md(target, meta, report, evidence, rules):
    feats = features_of(report)
    out = [f"# Evidence: {target}\n\n",
           f"{TARGETS[target]}. Flags: `{meta['flags']}`. Model: `{meta['model']['file']}` "
           f"(alias `{meta['model']['alias']}`). Probed {meta['date']}; "
           f"`{evidence['base']}`, `$KEY` is the run's key.\n\n",
           "For every feature: the verdict Touchstone gave, the verdict established by hand in "
           "[`reports/expected.yaml`](../expected.yaml) with its reason, and the curl exchanges that "
           "decide it (sent by `scripts/upstreams/evidence.py`, the same requests as the suites). "
           f"{MODEL_MARK} marks a verdict that depends on the model rather than the server.\n"]
    for feature in sorted(feats):
        r = feats[feature]
        exp = rules.get(feature)
        mark = f" {MODEL_MARK}" if exp and exp.model_dependent else ""
        out.append(f"\n## `{feature}`: {r['verdict']}{mark}\n")
        out.append("\n")
        if exp:
            out.append(f"- Established: **{exp.describe()}**: {exp.reason}\n")
        out.append(f"- Touchstone: **{r['verdict']}**: {r.get('detail', '')}\n")
        records = evidence["features"].get(feature)
        if records is None:
            out.append("\n(no curl transcript for this feature)\n")
            continue
        if not records:
            if feature.startswith("embeddings.") and "embedding_model" not in report["targets"][0]:
                out.append("\nNo embedding model configured for this target: nothing is sent.\n")
            else:
                out.append("\nNo request decides it on this target (see the detail).\n")
            continue
        for rec in records:
            if "curl" not in rec:
                out.append(f"\n{rec['step']}: {rec.get('note', '')}\n")
                continue
            head = ", ".join(f"{k}: {v}" for k, v in sorted(rec["headers"].items()))
            status = rec["status"] if rec["status"] is not None else f"no response ({rec.get('error')})"
            out.append(f"\n{rec['step']}:\n\n" + fence(rec["curl"], "sh") +
                       f"\n→ **{status}**" + (f" ({head})" if head else "") + f", {rec['elapsed_ms']} ms\n\n" +
                       fence(rec["excerpt"]))
    return "".join(out)


def side_by_side(server, proxy, rules_server, rules_proxy):
    fs, fp = features_of(server), features_of(proxy)
    qs, qp = server["targets"][0]["quirks"], proxy["targets"][0]["quirks"]
    rows, differ = [], 0
    for feature in sorted(set(fs) | set(fp)):
        a, b = fs.get(feature, {}).get("verdict", "—"), fp.get(feature, {}).get("verdict", "—")
        model = any(r.get(feature) and r[feature].model_dependent for r in (rules_server, rules_proxy))
        name = f"`{feature}`" + (f" {MODEL_MARK}" if model else "")
        if a != b:
            differ += 1
            rows.append(f"| {name} | {a} | **{b}** | **differs**: {cell(fp.get(feature, {}).get('detail', ''))} |")
        else:
            rows.append(f"| {name} | {a} | {b} | |")
    qrows = []
    for k in sorted(set(qs) | set(qp)):
        a = json.dumps(qs.get(k, "—"), ensure_ascii=False)
        b = json.dumps(qp.get(k, "—"), ensure_ascii=False)
        qrows.append(f"| `{k}` | {cell(a)} | {cell(b) if a == b else '**' + cell(b) + '**'} |")
    return (
        "# LiteLLM proxy against the llama-server it fronts\n\n"
        "Both probed in the same run with the same model and suites. The proxy forwards to "
        "llama-jinja, so where the verdicts differ the difference is the proxy's. "
        f"{MODEL_MARK} marks features whose verdict depends on the model.\n\n"
        f"{differ} of {len(rows)} features differ.\n\n"
        "| feature | llama-server `--jinja` | LiteLLM → llama-server | |\n|---|---|---|---|\n" +
        "\n".join(rows) + "\n\n## Quirks\n\n| quirk | llama-server | LiteLLM |\n|---|---|---|\n" +
        "\n".join(qrows) + "\n")


def emulator_vs_real(pairs, backend=None):
    out = ["# Emulator personalities against the real servers\n\n"
           "Each personality is the project's own model of a server (docs/emulator.md). Here it is "
           "probed beside the real server it models; every feature where they disagree is listed with "
           f"the real server's detail. {MODEL_MARK}: the real verdict depends on the model. What was "
           "changed because of these comparisons: [docs/real-upstreams.md](../docs/real-upstreams.md).\n"]
    for personality, target, emu, real, rules in pairs:
        fe, fr = features_of(emu), features_of(real)
        inherits = target == "litellm-proxy" and backend is not None
        rows = []
        for feature in sorted(set(fe) | set(fr)):
            a, b = fe.get(feature, {}).get("verdict", "—"), fr.get(feature, {}).get("verdict", "—")
            if a != b:
                mark = f" {MODEL_MARK}" if rules.get(feature) and rules[feature].model_dependent else ""
                why = ""
                if inherits:
                    bv = features_of(backend).get(feature, {}).get("verdict")
                    why = "the backend's: llama-server gives the same" if bv == b else "the proxy's own"
                rows.append(f"| `{feature}`{mark} | {a} | {b} | " + (f"{why} | " if inherits else "") +
                            f"{cell(fr.get(feature, {}).get('detail', ''))} |")
        out.append(f"\n## `{personality}` against {target}\n\n")
        if inherits:
            out.append("The personality keeps a by-the-book backend behind the proxy; the real proxy fronts "
                       "llama-jinja, so a disagreement the backend shows too is the backend's, not the proxy's.\n\n")
        if rows:
            out.append(f"Disagreements: {len(rows)}.\n\n| feature | emulator | real | " +
                       ("whose | " if inherits else "") + "real detail |\n|---|---|---|" +
                       ("---|" if inherits else "") + "---|\n" + "\n".join(rows) + "\n")
        else:
            out.append("They agree on every feature.\n")
    return "".join(out)


def readme(metas, timings, present):
    out = ["# Reports of real upstreams\n\n"
           "Generated by `scripts/integration.sh --publish` (do not edit by hand; the hand-written "
           "part is [`expected.yaml`](expected.yaml) and [docs/real-upstreams.md](../docs/real-upstreams.md)).\n\n"
           "| target | what | reports | evidence |\n|---|---|---|---|\n"]
    for t in present:
        out.append(f"| {t} | {TARGETS[t]} | [JSON]({t}/report.json) · [JUnit]({t}/junit.xml) · "
                   f"[Markdown]({t}/table.md) · [metadata]({t}/meta.json) | [evidence]({t}/evidence.md) |\n")
    out.append("\nAlso: [proxy against the server it fronts](proxy-vs-server.md) · "
               "[emulator personalities against the real servers](emulator-vs-real.md).\n\n## Metadata\n\n")
    out.append("| target | date | server | flags | model | probe |\n|---|---|---|---|---|---|\n")
    for t in present:
        m = metas[t]
        if "litellm" in m:
            server = f"LiteLLM {m['litellm']['version']} → llama-server {m['llama_server']['version']}"
        else:
            props = m["llama_server"].get("props", {})
            server = f"llama-server {m['llama_server']['version']}" + (
                f" (`/props` build_info {props['build_info']})" if props.get("build_info") else "")
        p = m.get("probe", {})
        out.append(f"| {t} | {m['date']} | {cell(server)} ({m['llama_server']['package']}) | `{cell(m['flags'])}` | "
                   f"`{m['model']['file']}` ({m['model']['package']}, sha256 `{m['model']['sha256'][:16]}…`) | "
                   f"{p.get('requests')} requests, {p.get('output_tokens')} output tokens, "
                   f"{round(p.get('wall_seconds') or 0, 1)} s |\n")
    if timings:
        out.append("\n## Wall times of the publishing run\n\n| stage | seconds |\n|---|---|\n")
        out.extend(f"| {k} | {v} |\n" for k, v in timings)
    return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--reports", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--timings")
    args = ap.parse_args()
    rules = expectations.load(args.expected)
    present = [t for t in TARGETS if os.path.isfile(os.path.join(args.run, t, "report.json"))]
    reports, metas = {}, {}
    for t in present:
        src, dst = os.path.join(args.run, t), os.path.join(args.reports, t)
        os.makedirs(dst, exist_ok=True)
        for name in ("report.json", "junit.xml", "table.md", "meta.json"):
            shutil.copyfile(os.path.join(src, name), os.path.join(dst, name + ".tmp"))
            os.replace(os.path.join(dst, name + ".tmp"), os.path.join(dst, name))
        reports[t] = load_json(os.path.join(src, "report.json"))
        metas[t] = load_json(os.path.join(src, "meta.json"))
        ev = os.path.join(src, "evidence.json")
        if os.path.isfile(ev):
            write(os.path.join(dst, "evidence.md"),
                  evidence_md(t, metas[t], reports[t], load_json(ev), rules.get(t, {})))
    if "llama-jinja" in reports and "litellm-proxy" in reports:
        write(os.path.join(args.reports, "proxy-vs-server.md"),
              side_by_side(reports["llama-jinja"], reports["litellm-proxy"],
                           rules.get("llama-jinja", {}), rules.get("litellm-proxy", {})))
    pairs = []
    # The llamacpp personality models llama-server with --api-key and --embeddings: llama-embed.
    for personality, target in (("llamacpp", "llama-embed"), ("litellm", "litellm-proxy")):
        emu = os.path.join(args.run, f"emulator-{personality}", "report.json")
        if target in reports and os.path.isfile(emu):
            pairs.append((personality, target, load_json(emu), reports[target], rules.get(target, {})))
    if pairs:
        write(os.path.join(args.reports, "emulator-vs-real.md"),
              emulator_vs_real(pairs, reports.get("llama-jinja")))
    timings = []
    if args.timings and os.path.isfile(args.timings):
        with open(args.timings, encoding="utf-8") as f:
            timings = [tuple(line.rstrip("\n").split("\t", 1)) for line in f if "\t" in line]
    write(os.path.join(args.reports, "README.md"), readme(metas, timings, present))
    print(f"publish: wrote reports for {', '.join(present)} to {args.reports}", file=sys.stderr)


if __name__ == "__main__":
    main()
