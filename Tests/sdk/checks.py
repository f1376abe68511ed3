"""What a client does with the official SDK, one check per use, each naming the Touchstone
feature it exercises (None when Touchstone has no feature for it).

A check returns a short note when the SDK got what it asked for, and raises otherwise:
the SDK's own exceptions (a refusal, a broken stream), a StrictError when a raw body is not
a strict instance of the SDK's type, or an AssertionError when the answer does not do what
the request asked (two choices for n=2, a tool call under tool_choice=required, …).
"""

import base64
import json
import struct
from dataclasses import dataclass
from typing import Callable

import openai
import pydantic
from openai.types import Completion, CreateEmbeddingResponse, Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response, ResponseStreamEvent

from strict import raw_json, raw_sse, validate

MESSAGES = [{"role": "user", "content": "Say hello and tell me one short fact about the sea."}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                       "additionalProperties": False},
    },
}
TIME = {
    "type": "function",
    "function": {"name": "get_time", "description": "The time in a city.",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
}
TOOL_PROMPT = [{"role": "user", "content": "What is the weather in Paris? Use get_weather."}]
PLAIN_PROMPT = [{"role": "user", "content": "Pick a tool if you need one."}]


class Answer(pydantic.BaseModel):
    answer: str


class GetWeather(pydantic.BaseModel):
    """The weather in a city."""

    city: str


@dataclass
class Context:
    client: openai.OpenAI
    bogus_client: openai.OpenAI
    base_url: str
    key: str | None
    model: str
    embedding_model: str | None
    responses_seen: dict


@dataclass
class Check:
    id: str
    feature: str | None
    run: Callable[[Context], str]


def _chat(ctx: Context, **params) -> ChatCompletion:
    """A chat call through `with_raw_response`: the raw body validated strictly, the SDK's parse returned."""
    params.setdefault("messages", MESSAGES)
    params.setdefault("max_tokens", 16)
    raw = ctx.client.chat.completions.with_raw_response.create(model=ctx.model, **params)
    validate(ChatCompletion, raw_json(raw), "chat.completions.create")
    return raw.parse()


def _stream_strict(ctx: Context, path: str, payload: dict, model_type) -> list:
    """The raw events of a stream, each validated strictly as `model_type`."""
    events = raw_sse(ctx.base_url, ctx.key, path, {"model": ctx.model, **payload, "stream": True})
    for i, event in enumerate(events):
        validate(model_type, event, f"{path} event {i}")
    return events


def _tool_names(completion) -> list:
    return [call.function.name for call in completion.choices[0].message.tool_calls or []]


# ---- models ---------------------------------------------------------------------------

def models_list(ctx):
    raw = ctx.client.models.with_raw_response.list()
    body = raw_json(raw)
    assert isinstance(body, dict) and isinstance(body.get("data"), list), f"not a list object: {str(body)[:120]}"
    for i, entry in enumerate(body["data"]):
        validate(Model, entry, f"models.list data[{i}]")
    ids = [m.id for m in raw.parse()]
    # A prefixed id (`models/<id>`, Gemini) still names the model.
    assert any(i == ctx.model or i.endswith("/" + ctx.model) for i in ids), f"{ctx.model} not among {ids}"
    return f"{len(ids)} models"


def models_retrieve(ctx):
    listed = [m.id for m in ctx.client.models.list()]
    wanted = next((i for i in listed if i == ctx.model or i.endswith("/" + ctx.model)), ctx.model)
    raw = ctx.client.models.with_raw_response.retrieve(wanted)
    validate(Model, raw_json(raw), "models.retrieve")
    assert raw.parse().id == wanted, f"asked for {wanted}, got {raw.parse().id}"
    return wanted


# ---- chat -----------------------------------------------------------------------------

def chat_create(ctx):
    c = _chat(ctx)
    assert isinstance(c.choices[0].message.content, str), "no text content"
    return c.choices[0].finish_reason


def chat_n(ctx):
    c = _chat(ctx, n=2)
    assert [ch.index for ch in c.choices] == [0, 1], f"choices {[ch.index for ch in c.choices]} for n=2"
    return "2 choices"


def chat_logprobs(ctx):
    c = _chat(ctx, logprobs=True, top_logprobs=2, max_tokens=4)
    content = c.choices[0].logprobs and c.choices[0].logprobs.content
    assert content, "no logprobs.content"
    assert len(content[0].top_logprobs) == 2, f"{len(content[0].top_logprobs)} top_logprobs for 2"
    return f"{len(content)} tokens"


def chat_parse(ctx):
    schema = openai.lib._pydantic.to_strict_json_schema(Answer)
    _chat(ctx, max_tokens=64, response_format={"type": "json_schema", "json_schema": {
        "name": "Answer", "schema": schema, "strict": True}})
    c = ctx.client.chat.completions.parse(model=ctx.model, messages=MESSAGES, max_tokens=64, response_format=Answer)
    parsed = c.choices[0].message.parsed
    assert isinstance(parsed, Answer), f"parsed is {type(parsed).__name__}"
    return "parsed Answer"


def tools_auto(ctx):
    c = _chat(ctx, messages=TOOL_PROMPT, tools=[WEATHER], max_tokens=64)
    assert _tool_names(c) == ["get_weather"], f"tool calls {_tool_names(c)}"
    json.loads(c.choices[0].message.tool_calls[0].function.arguments)
    return "get_weather called"


def tool_choice_required(ctx):
    c = _chat(ctx, messages=PLAIN_PROMPT, tools=[WEATHER], tool_choice="required", max_tokens=64)
    assert _tool_names(c), "no tool call under required"
    return f"{_tool_names(c)[0]} called"


def tool_choice_named(ctx):
    c = _chat(ctx, messages=PLAIN_PROMPT, tools=[WEATHER, TIME], max_tokens=64,
              tool_choice={"type": "function", "function": {"name": "get_time"}})
    assert _tool_names(c) == ["get_time"], f"tool calls {_tool_names(c)}"
    return "get_time called"


def tool_choice_none(ctx):
    c = _chat(ctx, messages=TOOL_PROMPT, tools=[WEATHER], tool_choice="none", max_tokens=64)
    assert not _tool_names(c), f"tool calls {_tool_names(c)} under none"
    return "text"


def tool_choice_allowed_tools(ctx):
    c = _chat(ctx, messages=PLAIN_PROMPT, tools=[WEATHER, TIME], max_tokens=64, tool_choice={
        "type": "allowed_tools",
        "allowed_tools": {"mode": "required", "tools": [{"type": "function", "function": {"name": "get_time"}}]}})
    assert _tool_names(c) == ["get_time"], f"tool calls {_tool_names(c)}"
    return "get_time called"


def tools_custom(ctx):
    c = _chat(ctx, tools=[{"type": "custom", "custom": {"name": "shell", "description": "Run a shell command."}}])
    return c.choices[0].finish_reason


def tools_parse(ctx):
    c = ctx.client.chat.completions.parse(
        model=ctx.model, messages=PLAIN_PROMPT, max_tokens=64, tools=[openai.pydantic_function_tool(GetWeather)],
        tool_choice={"type": "function", "function": {"name": "GetWeather"}})
    calls = c.choices[0].message.tool_calls or []
    assert calls and isinstance(calls[0].function.parsed_arguments, GetWeather), "no parsed GetWeather arguments"
    return "parsed GetWeather"


# ---- streaming --------------------------------------------------------------------------

# The stream helpers raise LengthFinishReasonError on a `length` finish, as for any parse:
# their calls leave room for the whole answer.
ROOM = 64


def stream_helper(ctx):
    _stream_strict(ctx, "/chat/completions", {"messages": MESSAGES, "max_tokens": ROOM}, ChatCompletionChunk)
    with ctx.client.chat.completions.stream(model=ctx.model, messages=MESSAGES, max_tokens=ROOM) as stream:
        kinds = {event.type for event in stream}
        final = stream.get_final_completion()
    assert "content.done" in kinds, f"no content.done event (saw {sorted(kinds)})"
    assert final.choices and isinstance(final.choices[0].message.content, str), "no final content"
    return f"{len(final.choices[0].message.content)} chars"


def stream_readme_loop(ctx):
    """The README's loop, verbatim in spirit: every chunk is assumed to carry choices[0]."""
    stream = ctx.client.chat.completions.create(model=ctx.model, messages=MESSAGES, max_tokens=16, stream=True)
    text = ""
    for chunk in stream:
        text += chunk.choices[0].delta.content or ""
    assert text, "no text"
    return f"{len(text)} chars"


def stream_include_usage(ctx):
    payload = {"messages": MESSAGES, "max_tokens": 16, "stream_options": {"include_usage": True}}
    events = _stream_strict(ctx, "/chat/completions", payload, ChatCompletionChunk)
    assert events and events[-1].get("usage"), "the last chunk has no usage"
    with ctx.client.chat.completions.stream(model=ctx.model, messages=MESSAGES, max_tokens=ROOM,
                                            stream_options={"include_usage": True}) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    assert final.usage and final.usage.total_tokens > 0, "no usage in the final completion"
    return f"{final.usage.total_tokens} tokens"


def stream_tool_calls(ctx):
    named = {"type": "function", "function": {"name": "get_weather"}}
    _stream_strict(ctx, "/chat/completions",
                   {"messages": PLAIN_PROMPT, "tools": [WEATHER], "tool_choice": named, "max_tokens": 64},
                   ChatCompletionChunk)
    with ctx.client.chat.completions.stream(model=ctx.model, messages=PLAIN_PROMPT, max_tokens=64,
                                            tools=[WEATHER], tool_choice=named) as stream:
        done = [e for e in stream if e.type == "tool_calls.function.arguments.done"]
        final = stream.get_final_completion()
    assert [e.name for e in done] == ["get_weather"], f"arguments.done events {[e.name for e in done]}"
    json.loads(final.choices[0].message.tool_calls[0].function.arguments)
    return "get_weather streamed"


# ---- embeddings -------------------------------------------------------------------------

def _embeddings_model(ctx):
    assert ctx.embedding_model, "the personality serves no embedding model"
    return ctx.embedding_model


def embeddings_float(ctx):
    model = _embeddings_model(ctx)
    raw = ctx.client.embeddings.with_raw_response.create(model=model, input="one", encoding_format="float")
    validate(CreateEmbeddingResponse, raw_json(raw), "embeddings.create")
    default = ctx.client.embeddings.create(model=model, input="one")  # the SDK asks for base64 and decodes it
    vector = default.data[0].embedding
    assert isinstance(vector, list) and vector, "not a float vector"
    return f"{len(vector)} dimensions"


def embeddings_batch(ctx):
    model = _embeddings_model(ctx)
    raw = ctx.client.embeddings.with_raw_response.create(model=model, input=["one", "two"], encoding_format="float")
    validate(CreateEmbeddingResponse, raw_json(raw), "embeddings.create batch")
    rows = raw.parse().data
    assert [r.index for r in rows] == [0, 1], f"rows {[r.index for r in rows]} for two inputs"
    return "2 rows"


def embeddings_base64(ctx):
    """The SDK types `embedding` as floats and decodes base64 itself: a row must be a base64
    string of little-endian float32s, and with it decoded the body must be strict."""
    model = _embeddings_model(ctx)
    raw = ctx.client.embeddings.with_raw_response.create(model=model, input="one", encoding_format="base64")
    body = raw_json(raw)
    for row in body.get("data", []) if isinstance(body, dict) else []:
        vector = row.get("embedding")
        assert isinstance(vector, str), f"embedding is {type(vector).__name__}, not a base64 string"
        data = base64.b64decode(vector, validate=True)
        assert data and len(data) % 4 == 0, f"{len(data)} bytes are not float32s"
        row["embedding"] = list(struct.unpack(f"<{len(data) // 4}f", data))
    validate(CreateEmbeddingResponse, body, "embeddings.create base64")
    return f"{len(body['data'][0]['embedding'])} float32"


# ---- legacy completions ------------------------------------------------------------------

def _completion(ctx, **params) -> Completion:
    raw = ctx.client.completions.with_raw_response.create(model=ctx.model, **params)
    validate(Completion, raw_json(raw), "completions.create")
    return raw.parse()


def completions_create(ctx):
    c = _completion(ctx, prompt="Once upon a time", max_tokens=8)
    assert c.choices[0].text, "no text"
    return c.choices[0].finish_reason


def completions_prompts(ctx):
    c = _completion(ctx, prompt=["Once", "Twice"], max_tokens=4)
    assert [ch.index for ch in c.choices] == [0, 1], f"indices {[ch.index for ch in c.choices]} for 2 prompts"
    return "2 choices"


def completions_n(ctx):
    c = _completion(ctx, prompt=["Once", "Twice"], n=2, max_tokens=4)
    assert [ch.index for ch in c.choices] == [0, 1, 2, 3], f"indices {[ch.index for ch in c.choices]} for 2 prompts × n=2"
    return "4 choices"


def completions_echo(ctx):
    c = _completion(ctx, prompt="Once upon", echo=True, max_tokens=4)
    assert c.choices[0].text.startswith("Once upon"), f"echo: text {c.choices[0].text[:30]!r}"
    return "prompt echoed"


def completions_logprobs(ctx):
    c = _completion(ctx, prompt="Once upon", logprobs=2, max_tokens=4)
    choice = c.choices[0]
    lp = choice.logprobs
    assert lp and lp.tokens and len(lp.tokens) == len(lp.token_logprobs) == len(lp.text_offset), "logprobs arrays"
    assert "".join(lp.tokens) == choice.text, "logprobs tokens do not spell the text"
    assert all(len(top) <= 3 for top in lp.top_logprobs or []), "more than logprobs + 1 alternatives"
    return f"{len(lp.tokens)} tokens"


def completions_tokens(ctx):
    c = _completion(ctx, prompt=[[1, 2, 3], [4, 5]], max_tokens=4)
    assert len(c.choices) == 2, f"{len(c.choices)} choices for two token arrays"
    return "2 choices"


def completions_stream(ctx):
    # The SDK types stream chunks as Completion, whose finish_reason is not optional, yet OpenAI
    # streams `finish_reason: null` in every chunk but the last. That null is accepted; the rest
    # of each chunk must be strict.
    events = raw_sse(ctx.base_url, ctx.key, "/completions",
                     {"model": ctx.model, "prompt": "Once", "max_tokens": 8, "stream": True})
    assert events, "no events"
    for i, event in enumerate(events):
        for choice in event.get("choices", []) if isinstance(event, dict) else []:
            if isinstance(choice, dict) and choice.get("finish_reason", "") is None and i < len(events) - 1:
                choice["finish_reason"] = "stop"
        validate(Completion, event, f"/completions event {i}")
    text = ""
    for chunk in ctx.client.completions.create(model=ctx.model, prompt="Once", max_tokens=8, stream=True):
        text += chunk.choices[0].text
    assert text, "no text"
    return f"{len(text)} chars"


# ---- responses ---------------------------------------------------------------------------

def responses_create(ctx):
    raw = ctx.client.responses.with_raw_response.create(model=ctx.model, input="Say hello.", max_output_tokens=16)
    validate(Response, raw_json(raw), "responses.create")
    r = raw.parse()
    assert r.output_text, "no output_text"
    ctx.responses_seen["last"] = r.id
    return r.status


def responses_stream(ctx):
    # A cap the answer fits in: the SDK's get_final_response() wants `response.completed`, and
    # a stream cut by max_output_tokens ends with `response.incomplete` (also by the book).
    events = raw_sse(ctx.base_url, ctx.key, "/responses",
                     {"model": ctx.model, "input": "Say hello.", "max_output_tokens": 64, "stream": True})
    adapter = pydantic.TypeAdapter(ResponseStreamEvent)
    for i, event in enumerate(events):
        validate(adapter, event, f"/responses event {i}")
    with ctx.client.responses.stream(model=ctx.model, input="Say hello.", max_output_tokens=64) as stream:
        kinds = {event.type for event in stream}
        final = stream.get_final_response()
    assert "response.completed" in kinds or "response.incomplete" in kinds, f"no terminal event (saw {sorted(kinds)})"
    assert final.output_text, "no output_text"
    return f"{len(events)} events"


def responses_retrieve(ctx):
    created = ctx.client.responses.create(model=ctx.model, input="Say hello.", max_output_tokens=16, store=True)
    raw = ctx.client.responses.with_raw_response.retrieve(created.id)
    validate(Response, raw_json(raw), "responses.retrieve")
    assert raw.parse().id == created.id, "another response came back"
    return "retrieved"


# ---- errors ------------------------------------------------------------------------------

def auth_bogus_key(ctx):
    try:
        ctx.bogus_client.chat.completions.create(model=ctx.model, messages=MESSAGES, max_tokens=4)
    except (openai.AuthenticationError, openai.PermissionDeniedError) as e:
        return f"{type(e).__name__} ({e.status_code})"
    raise AssertionError("a bogus key was not refused with 401/403")


def errors_unknown_model(ctx):
    try:
        ctx.client.chat.completions.create(model="touchstone-no-such-model", messages=MESSAGES, max_tokens=4)
    except (openai.NotFoundError, openai.BadRequestError) as e:
        return f"{type(e).__name__} ({e.status_code})"
    raise AssertionError("an unknown model was answered")


def errors_envelope(ctx):
    """The SDK reads `error.message`, `type`, `param`, `code` from OpenAI's envelope into the
    exception; any other error body leaves them empty."""
    try:
        ctx.client.chat.completions.create(model=ctx.model, messages=[], max_tokens=4)
    except openai.APIStatusError as e:
        assert isinstance(e.body, dict) and isinstance(e.body.get("message"), str), f"no error.message: {str(e.body)[:100]}"
        assert e.type, "no error.type"
        return f"{e.status_code} {e.type}"
    raise AssertionError("a request with no messages was answered")


CHECKS = [
    Check("models.list", "models.list", models_list),
    Check("models.retrieve", None, models_retrieve),
    Check("chat.create", "chat.basic", chat_create),
    Check("chat.n", "chat.n", chat_n),
    Check("chat.logprobs", "chat.logprobs", chat_logprobs),
    Check("chat.parse", "response_format.json_schema", chat_parse),
    Check("tools.auto", "tools.basic", tools_auto),
    Check("tool_choice.required", "tool_choice.required", tool_choice_required),
    Check("tool_choice.named", "tool_choice.named", tool_choice_named),
    Check("tool_choice.none", "tool_choice.none", tool_choice_none),
    Check("tool_choice.allowed_tools", None, tool_choice_allowed_tools),
    Check("tools.custom", None, tools_custom),
    Check("tools.parse", "tool_choice.named", tools_parse),
    Check("stream.helper", "stream.basic", stream_helper),
    Check("stream.readme_loop", "stream.basic", stream_readme_loop),
    Check("stream.include_usage", "stream.include_usage", stream_include_usage),
    Check("stream.tool_calls", "stream.tool_calls", stream_tool_calls),
    Check("embeddings.float", "embeddings.basic", embeddings_float),
    Check("embeddings.batch", "embeddings.batch", embeddings_batch),
    Check("embeddings.base64", "embeddings.base64", embeddings_base64),
    Check("completions.create", "completions.legacy", completions_create),
    Check("completions.prompts", "completions.legacy", completions_prompts),
    # Touchstone probes n and logprobs on chat only: these are shown, not compared.
    Check("completions.n", None, completions_n),
    Check("completions.echo", None, completions_echo),
    Check("completions.logprobs", None, completions_logprobs),
    Check("completions.tokens", "completions.legacy", completions_tokens),
    Check("completions.stream", "completions.legacy", completions_stream),
    Check("responses.create", "responses.basic", responses_create),
    Check("responses.stream", "responses.stream", responses_stream),
    Check("responses.retrieve", "responses.retrieve", responses_retrieve),
    Check("auth.bogus_key", "auth.invalid_key_rejected", auth_bogus_key),
    Check("errors.unknown_model", "errors.unknown_model", errors_unknown_model),
    Check("errors.envelope", "errors.envelope", errors_envelope),
]
