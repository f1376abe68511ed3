"""Strict validation of raw bodies against the SDK's own types, and raw SSE reading.

The SDK parses leniently (`construct`): a missing required field or a string where a
number belongs passes silently and breaks later, in user code. Here every body is
validated with pydantic's strict mode against the type the SDK would have built.
"""

import json
import urllib.error
import urllib.request

import pydantic


class StrictError(Exception):
    """A body the SDK's type refuses in strict mode."""


def validate(model_type, body, where: str):
    """`model_type.model_validate(body, strict=True)`, or a StrictError naming what failed."""
    try:
        if isinstance(model_type, pydantic.TypeAdapter):
            return model_type.validate_python(body, strict=True)
        return model_type.model_validate(body, strict=True)
    except pydantic.ValidationError as e:
        name = getattr(model_type, "__name__", None) or str(getattr(model_type, "_type", model_type))
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}" for err in e.errors()[:3]
        )
        more = f" (+{e.error_count() - 3} more)" if e.error_count() > 3 else ""
        raise StrictError(f"{where}: not a strict {name}: {problems}{more}") from None


def raw_json(raw_response) -> object:
    """The JSON body of an SDK `with_raw_response` call."""
    return json.loads(raw_response.text)


def raw_sse(base_url: str, key: str | None, path: str, payload: dict, timeout: float = 10) -> list:
    """POSTs `payload` and returns the JSON of every `data:` event before `[DONE]`.

    Raises StrictError for a non-2xx answer or an event that is not JSON.
    """
    request = urllib.request.Request(
        base_url.rstrip("/") + path, data=json.dumps(payload).encode(), method="POST",
        headers={"Content-Type": "application/json", "Accept": "text/event-stream",
                 **({"Authorization": f"Bearer {key}"} if key else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        raise StrictError(f"raw stream: HTTP {e.code}: {e.read()[:200].decode('utf-8', 'replace')}") from None
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(line[5:].lstrip(" ") for line in block.split("\n") if line.startswith("data:"))
        if not data:
            continue
        if data == "[DONE]":
            break
        try:
            events.append(json.loads(data))
        except json.JSONDecodeError:
            raise StrictError(f"raw stream: an event is not JSON: {data[:120]}") from None
    return events
