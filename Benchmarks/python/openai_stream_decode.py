"""Decode a recorded SSE stream with the official OpenAI Python SDK, as it decodes a
streamed chat completion; print the best of --repeat runs as JSON.

Modes:
  decoder  openai._streaming.SSEDecoder.iter_bytes over the network-sized pieces, and
           json.loads of every event's data (what Stream.__stream__ does per event via
           ServerSentEvent.json()), stopping at [DONE].
  sdk      the SDK's whole Stream[ChatCompletionChunk] over an httpx response built from the
           same pieces: decoding plus the typed chunk objects a caller iterates over.
"""

import argparse
import json
import sys
import time

import openai
from openai._streaming import SSEDecoder, Stream
from openai.types.chat import ChatCompletionChunk


def pieces(data: bytes, size: int) -> list:
    return [data[i : i + size] for i in range(0, len(data), size)]


def decode(chunks: list) -> int:
    events = 0
    for sse in SSEDecoder().iter_bytes(iter(chunks)):
        events += 1
        if sse.data.startswith("[DONE]"):
            break
        sse.json()
    return events


def sdk(chunks: list) -> int:
    import httpx2 as httpx  # the SDK's own HTTP layer

    client = openai.OpenAI(api_key="sk-bench", base_url="http://127.0.0.1:9/v1")
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    response = httpx.Response(200, headers={"content-type": "text/event-stream"},
                              content=iter(chunks), request=request)
    events = 0
    for chunk in Stream(cast_to=ChatCompletionChunk, response=response, client=client):
        events += 1
    return events + 1  # [DONE] ends the iteration without an item


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--file", required=True)
    p.add_argument("--piece", type=int, default=16384)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--mode", choices=["decoder", "sdk"], default="decoder")
    a = p.parse_args()
    with open(a.file, "rb") as f:
        data = f.read()
    chunks = pieces(data, a.piece)
    run = decode if a.mode == "decoder" else sdk
    best = None
    events = 0
    for _ in range(max(1, a.repeat)):
        t = time.perf_counter()
        events = run(chunks)
        s = time.perf_counter() - t
        best = s if best is None else min(best, s)
    print(json.dumps({"mode": a.mode, "bytes": len(data), "events": events, "seconds": best,
                      "mb_per_s": len(data) / 1e6 / best, "events_per_s": events / best,
                      "openai": openai.__version__, "python": sys.version.split()[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
