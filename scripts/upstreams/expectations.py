"""Reads reports/expected.yaml: the verdicts established by hand for each real target.

The file is the `touchstone.expectations/v1` format (docs/real-upstreams.md), restricted to
what the integration tier needs, so it reads with the standard library alone:

    schema: touchstone.expectations/v1
    targets:
      llama-jinja:
        features:
          chat.basic: [supported]             # 200 chat.completion with the full shape
          tools.basic: [supported, ignored]   # model: Gemma 270M may answer with text

A list is the set of allowed verdicts; a bare verdict means "this or better" (the order of
Verdict.rank). The comment after a feature is its one-line reason and is required; a reason
starting with `model:` marks a verdict that depends on the model rather than the server.
"""
import re

VERDICTS = ["supported", "unsupported", "ignored", "broken", "untested"]
RANK = {"supported": 4, "unsupported": 3, "untested": 2, "ignored": 1, "broken": 0}


class ExpectationsError(Exception):
    pass


class Expectation:
    def __init__(self, allowed, at_least, reason, line):
        self.allowed = allowed      # list of verdicts, or None
        self.at_least = at_least    # a verdict, or None
        self.reason = reason
        self.line = line

    @property
    def model_dependent(self):
        return self.reason.lower().startswith("model:")

    def accepts(self, verdict):
        if self.allowed is not None:
            return verdict in self.allowed
        return RANK[verdict] >= RANK[self.at_least]

    def describe(self):
        if self.allowed is not None:
            return self.allowed[0] if len(self.allowed) == 1 else "one of " + ", ".join(self.allowed)
        return self.at_least if self.at_least == "supported" else f"{self.at_least} or better"


_LINE = re.compile(r"^(?P<indent> *)(?P<key>'[^']*'|\"[^\"]*\"|[^:#\s][^:#]*?)\s*:\s*(?P<value>[^#]*?)\s*(?:#\s?(?P<comment>.*))?$")


def load(path):
    """Returns {target: {feature: Expectation}}; raises ExpectationsError with file:line."""
    problems = []
    out = {}
    section = None      # "targets" when inside it
    target = None
    in_features = False
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for number, raw in enumerate(lines, 1):
        where = f"{path}:{number}"
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            problems.append(f"{where}: indent with spaces, not tabs")
            continue
        m = _LINE.match(raw)
        if not m:
            problems.append(f"{where}: expected `key: value`, got `{raw.strip()}`")
            continue
        indent = len(m["indent"])
        key = m["key"].strip("'\"")
        value = m["value"]
        comment = (m["comment"] or "").strip()
        if indent == 0:
            target, in_features = None, False
            if key == "schema":
                if value != "touchstone.expectations/v1":
                    problems.append(f"{where}: unknown schema `{value}`; this reads touchstone.expectations/v1")
                section = None
            elif key == "targets" and not value:
                section = "targets"
            else:
                problems.append(f"{where}: unknown top-level key `{key}`; use `schema` and `targets`")
                section = None
        elif indent == 2 and section == "targets":
            if value:
                problems.append(f"{where}: target `{key}` needs a `features:` mapping below it")
            target, in_features = key, False
            if target in out:
                problems.append(f"{where}: duplicate target `{key}`")
            out.setdefault(target, {})
        elif indent == 4 and target is not None:
            if key != "features" or value:
                problems.append(f"{where}: a target holds only `features:` (got `{key}`)")
            in_features = key == "features"
        elif indent == 6 and in_features:
            exp = _expectation(value, comment, where, problems)
            if exp is None:
                continue
            if key in out[target]:
                problems.append(f"{where}: duplicate feature `{key}` for target `{target}`")
                continue
            exp.line = number
            out[target][key] = exp
        else:
            problems.append(f"{where}: unexpected indentation or key `{key}` here")
    if problems:
        raise ExpectationsError("\n".join(problems))
    return out


def _expectation(value, comment, where, problems):
    if not comment:
        problems.append(f"{where}: write the reason as a comment after the verdict (`# …`)")
        return None
    if value.startswith("["):
        if not value.endswith("]"):
            problems.append(f"{where}: unclosed list `{value}`")
            return None
        items = [v.strip() for v in value[1:-1].split(",") if v.strip()]
        if not items:
            problems.append(f"{where}: an empty list accepts no verdict")
            return None
        bad = [v for v in items if v not in VERDICTS]
        if bad:
            problems.append(f"{where}: unknown verdict `{bad[0]}`; use {', '.join(VERDICTS)}")
            return None
        return Expectation(items, None, comment, 0)
    if value not in VERDICTS:
        problems.append(f"{where}: unknown verdict `{value}`; use {', '.join(VERDICTS)}")
        return None
    return Expectation(None, value, comment, 0)
