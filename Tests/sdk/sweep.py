"""A sweep of documented request parameters, each with OpenAI's answer: accepted (2xx), or a
400 naming a parameter. The reference personality must give OpenAI's answer to every one;
other personalities are only reported (their differences are their quirks).
"""

from dataclasses import dataclass, field

import openai

from checks import MESSAGES, WEATHER

ACCEPTED = "accepted"


@dataclass
class Case:
    id: str
    endpoint: str  # chat, completions, embeddings
    params: dict
    expected: str = ACCEPTED  # or the `param` of OpenAI's 400 (`a|b`: either)
    extra_body: dict = field(default_factory=dict)


def chat(id, expected=ACCEPTED, extra_body=None, **params):
    return Case(id, "chat", params, expected, extra_body or {})


def completions(id, expected=ACCEPTED, **params):
    return Case(id, "completions", params, expected)


def embeddings(id, expected=ACCEPTED, **params):
    return Case(id, "embeddings", params, expected)


NAMED = {"type": "function", "function": {"name": "get_weather"}}

CASES = [
    # chat: accepted
    chat("temperature=0", temperature=0),
    chat("temperature=2", temperature=2),
    chat("top_p=0.5", top_p=0.5),
    chat("presence_penalty=1.5", presence_penalty=1.5),
    chat("frequency_penalty=-1.5", frequency_penalty=-1.5),
    chat("n=2", n=2),
    chat("stop string", stop="sea"),
    chat("stop 4 strings", stop=["a", "b", "c", "d"]),
    chat("seed", seed=7),
    chat("user", user="touchstone"),
    chat("logit_bias", logit_bias={"50256": -100}),
    chat("logprobs+top_logprobs=20", logprobs=True, top_logprobs=20),
    chat("max_completion_tokens", max_completion_tokens=8),
    chat("response_format text", response_format={"type": "text"}),
    chat("response_format json_object", response_format={"type": "json_object"}),
    chat("reasoning_effort=low", reasoning_effort="low"),
    chat("metadata+store", metadata={"suite": "sdk"}, store=False),
    chat("stream+stream_options", stream=True, stream_options={"include_usage": True}),
    chat("parallel_tool_calls with tools", tools=[WEATHER], parallel_tool_calls=False),
    chat("tool_choice named", tools=[WEATHER], tool_choice=NAMED),
    chat("tool_choice allowed_tools", tools=[WEATHER], tool_choice={
        "type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": [NAMED]}}),
    chat("tools custom", tools=[{"type": "custom", "custom": {"name": "shell"}}]),
    chat("role developer", messages=[{"role": "developer", "content": "Be brief."}, *MESSAGES]),
    # chat: OpenAI's 400s
    chat("temperature=5", "temperature", temperature=5),
    chat("temperature=-1", "temperature", temperature=-1),
    chat("top_p=1.5", "top_p", top_p=1.5),
    chat("presence_penalty=3", "presence_penalty", presence_penalty=3),
    chat("frequency_penalty=-3", "frequency_penalty", frequency_penalty=-3),
    chat("n=0", "n", n=0),
    chat("n=129", "n", n=129),
    chat("stop 5 strings", "stop", stop=["a", "b", "c", "d", "e"]),
    chat("top_logprobs=21", "top_logprobs", logprobs=True, top_logprobs=21),
    chat("top_logprobs without logprobs", "logprobs|top_logprobs", top_logprobs=2),
    chat("max_tokens=0", "max_tokens", max_tokens=0),
    chat("reasoning_effort=bogus", "reasoning_effort", reasoning_effort="bogus-level"),
    chat("response_format bogus", "response_format", response_format={"type": "bogus"}),
    chat("stream_options without stream", "stream_options", stream_options={"include_usage": True}),
    chat("parallel_tool_calls without tools", "parallel_tool_calls", parallel_tool_calls=False),
    chat("tool_choice without tools", "tool_choice", tool_choice="required"),
    chat("role bogus", "messages", messages=[{"role": "wizard", "content": "hi"}]),
    chat("unknown parameter", "bogus_parameter", extra_body={"bogus_parameter": 1}),
    # legacy completions
    completions("prompt list × n", prompt=["a", "b"], n=2),
    completions("token-array prompt", prompt=[1, 2, 3]),
    completions("token-array list", prompt=[[1, 2], [3]]),
    # echo with logprobs is model-dependent on OpenAI (refused for gpt-3.5-turbo-instruct): each alone.
    completions("echo", prompt="a", echo=True),
    completions("logprobs=5", prompt="a", logprobs=5),
    completions("logprobs=6", "logprobs", prompt="a", logprobs=6),
    completions("temperature=5", "temperature", prompt="a", temperature=5),
    completions("stream_options without stream", "stream_options", prompt="a", stream_options={"include_usage": True}),
    # embeddings
    embeddings("dimensions=8", dimensions=8),
    embeddings("encoding base64", encoding_format="base64"),
]

# Sweep cases the reference is known to get wrong (reported as gaps, not failures). Empty.
KNOWN_GAPS: set[str] = set()


def run(case: Case, client: openai.OpenAI, model: str, embedding_model: str | None) -> str:
    """The outcome: ACCEPTED, or the `param` of a 400 (`400 ?` when it names none), or an error line."""
    try:
        if case.endpoint == "chat":
            params = {"messages": MESSAGES, "max_tokens": 4, **case.params}
            result = client.chat.completions.create(model=model, extra_body=case.extra_body or None, **params)
            if params.get("stream"):
                for _ in result:
                    pass
        elif case.endpoint == "completions":
            result = client.completions.create(model=model, max_tokens=4, **case.params)
        else:
            if not embedding_model:
                return "no embedding model"
            client.embeddings.create(model=embedding_model, input="one", **case.params)
        return ACCEPTED
    except openai.BadRequestError as e:
        param = e.body.get("param") if isinstance(e.body, dict) else None
        return f"400 {param}" if param else "400 ?"
    except openai.APIStatusError as e:
        return f"HTTP {e.status_code}"
    except Exception as e:  # noqa: BLE001 - any failure is an outcome to report
        return f"{type(e).__name__}: {str(e)[:80]}"


def matches(case: Case, outcome: str) -> bool:
    if case.expected == ACCEPTED:
        return outcome == ACCEPTED
    # OpenAI names a nested param with its path (`messages[0].role`); its head is enough here.
    return outcome.startswith("400 ") and outcome[4:].split("[")[0].split(".")[0] in case.expected.split("|")
