/// The hand-written parts of the feature reference: what holds for every feature rather than
/// for one case. The per-feature sections come from the suites' `rule:` texts. Edit here, then
/// run `touchstone suites docs --output docs/features.md` (a test fails while that file is stale).
enum FeatureReferenceText {
    static let intro = #"""
        Touchstone gives every feature of every target exactly one verdict. This page says, for each
        feature, what is sent and which answer leads to which verdict. It is generated from the suite
        files under `suites/`, the same files the prober runs, so the words and the rules cannot drift
        apart: each case carries its rule in words (`rule:`, see docs/suites.md) next to the verdict
        rules that decide it.

        Feature ids are a stable contract: reports, presets, JUnit test names and expectations refer to
        them. New features may be added; renaming or removing one changes the report's schema version.
        """#

    static let verdicts = #"""
        | verdict | what it says about the upstream | usual evidence |
        |---|---|---|
        | `supported` | it does what the OpenAI API describes | the effect shows in the structure of the answer |
        | `unsupported` | it declines, cleanly | a 4xx (or 501) with an error, a 404 for a whole endpoint |
        | `ignored` | it accepts the request but does not act on the feature | a 2xx that looks as if the feature had not been asked for |
        | `broken` | it tries and gets the protocol wrong | a 5xx, a dropped connection, invalid JSON or SSE, an error inside a 2xx, a status of the wrong class |
        | `untested` | the evidence cannot decide | a prerequisite is missing, no embedding model was given, the control answer is unusable |

        How every rule below is applied:

        - Verdicts rest on structure: status class, fields and their types, exact values, counts,
          `finish_reason`. What a model says is never graded; small models answer poorly and that is
          not the upstream's fault. Where the outcome can still depend on the model (a model that
          declines to call a tool), the detail says so.
        - Where an effect only shows by comparison, the probe is paired with a control request: the
          same body without the feature.
        - Requests use `temperature: 0` and the smallest token cap that still shows the effect, so a
          whole probe of one target costs little.
        - Each verdict comes with a one-line detail saying why, and evidence: status, time, redacted
          excerpts and a `curl` command that repeats the request.
        - A transfer that still fails after the retries below (connection refused, timeout, reset)
          makes that feature `broken`, with the kind of failure in the detail. The other features go
          on.
        - A request that carries a credential is never followed to another origin (scheme, host or
          port): the feature is `untested` and the detail says `cross_origin_redirect`.
        - A status line outside 100–599 is not a status: the answer is a protocol error.
        - Token counts must be exact non-negative integers that fit in 64 bits.
        """#

    static let preflight = #"""
        Before any feature is probed, each target is checked for what every feature depends on. The
        preflight sends only requests the features send anyway (`models.list` and `chat.basic`), once:

        1. Does the base URL answer at all? With no connection, every feature is `untested` and
           nothing more is sent.
        2. `GET {base}/models`; when that is a 404 and the base URL has no version segment (`/v1`,
           `/v1beta`, `/api/v2`), also `GET {base}/v1/models`.
        3. The `chat.basic` request with the configured key and model.

        Some answers mean the configuration is wrong rather than the upstream. Then the target stops
        with a configuration error naming the cause and the fix; it gets no verdicts, and the report
        says why (docs/report-json.md § Preflight):

        - the key is refused: 401, a 403 that does not name the model, or a 400 whose error is about
          the API key. When no key was configured, the message says the server wants one and how to
          pass it (`--api-key-env VAR`);
        - the base URL is missing its `/v1`: `{base}/models` is a 404 while `{base}/v1/models` lists
          models (or asks for a key with 401/403), and the chat at the given base is a 404/405 or
          could not be sent for want of a model;
        - the model is unknown to the upstream: the chat's 400, 404 or 422 names the model (an error
          code containing `model` or `deployment`, `param: "model"`, or a not-found message quoting the
          model id), or a non-empty model list lacks it and the chat is refused with 400, 404 or 422;
        - no model was configured and `/models` does not list exactly one chat model (with several,
          the user must choose; with exactly one, it is used and the report says so).

        These are not configuration errors and leave the verdicts to the features: no `/models` at
        all (`models.list` is `unsupported`), a 5xx, 429 or timeout on the chat, any other 4xx, a
        configured model missing from the list while the chat works (single-model servers such as
        llama-server accept any name; a note is added), and an embedding model missing from the list
        (a note).
        """#

    static let harness = #"""
        A verdict describes the upstream, not the load the harness itself puts on it, and not an answer
        that cannot decide anything.

        - Some outcomes can be caused by load: a 429 or 5xx, a timeout, a reset or a body cut short,
          a chat stream that ends without a `finish_reason`. When one of them happens while other
          requests to the same target are in flight, the request is sent again with nothing else in
          flight to that target, and that answer decides. The detail says which happened:
          `(re-run alone: same outcome)` or `(decided by a re-run alone: with other requests in flight
          it got …)`. A server therefore gets the same verdicts at the default `--jobs` as at
          `--jobs 1`.
        - Before the cases, the prober asks the server how many requests it serves at once, where the
          server says so (llama.cpp's `GET /props` → `total_slots`, else the length of `GET /slots`,
          both at the server's origin, with the target's key). With fewer slots than `--jobs`, the
          target's requests in flight are capped to the slots; the count is recorded as quirk
          `server_slots` and shown in the progress. Any other answer changes nothing. The `/props`
          answer is shared with the `context_length` quirk.
        - An error whose body was cut short (the status came, then the transfer failed) decides nothing
          that its body would: a rule that needs the body ends `untested`, naming the step and the
          cut, and such a body never counts for `errors.envelope`.
        - A regular expression that needs more than its budget of matching steps decides nothing: the
          feature is `untested` (docs/suites.md § Assertions).
        - A request body that would grow past 16 MiB because of a value the upstream sent back is not
          built: the feature is `untested`.
        - An answer whose JSON holds more than 2,000,000 values or 100,000 objects or arrays (a
          padded or hostile answer; real ones are far smaller) is not parsed: a feature decided from
          it is `untested`, naming the step. The same holds for a stream's events together and for
          JSON written inside a string (message content, tool arguments) (docs/security.md).
        - A model that ends its answer with no token at all leaves `chat.max_tokens`,
          `chat.max_completion_tokens` and `chat.logprobs` `untested`; so does an empty or diverging
          answer to the `chat.stop` probe.
        """#

    static let retries = #"""
        Touchstone retries as a careful client would, and says so:

        - 429 (rate limited) and 5xx: up to two retries. After a 429 the wait the server asks for is
          honoured: `Retry-After` as HTTP allows it (whole seconds or an HTTP date) and
          `retry-after-ms` as a non-negative decimal, at most 20 seconds; any other value is ignored
          and the default backoff applies. A 5xx is retried with a growing backoff.
        - Any other 4xx: no retry.
        - A failed connection (refused, reset, DNS, connect timeout): one more try.

        A retry never hides a verdict: the detail of a feature that needed retries counts them and
        gives their reasons.
        """#
}
