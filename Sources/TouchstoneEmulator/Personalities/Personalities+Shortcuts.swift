// Shortcuts to the built-in personalities that Swift callers (tests, benchmarks) name. A new
// personality needs none: `Personalities.named(_:)` finds every file of personalities/.
// (A shortcut whose file is gone stops the program at its first use.)

extension Personalities {
    public static var reference: Personality { named("reference")! }
    public static var referenceSlow: Personality { named("reference-slow")! }
    public static var ollama: Personality { named("ollama")! }
    public static var vllm: Personality { named("vllm")! }
    public static var llamacpp: Personality { named("llamacpp")! }
    public static var llamacppOneSlot: Personality { named("llamacpp-np1")! }
    public static var lmstudio: Personality { named("lmstudio")! }
    public static var tgi: Personality { named("tgi")! }
    public static var mlx: Personality { named("mlx")! }
    public static var mistral: Personality { named("mistral")! }
    public static var gemini: Personality { named("gemini")! }
    public static var perplexity: Personality { named("perplexity")! }
    public static var azure: Personality { named("azure")! }
    public static var litellm: Personality { named("litellm")! }
    public static var groq: Personality { named("groq")! }
    public static var cerebras: Personality { named("cerebras")! }
    public static var xai: Personality { named("xai")! }
    public static var nvidia: Personality { named("nvidia")! }
    public static var openrouter: Personality { named("openrouter")! }
    public static var deepinfra: Personality { named("deepinfra")! }
    public static var misbehaving: Personality { named("misbehaving")! }
    public static var faultRefused: Personality { named("fault-refused")! }
    public static var faultResetAfterHeaders: Personality { named("fault-reset-after-headers")! }
    public static var faultCloseMidBody: Personality { named("fault-close-mid-body")! }
    public static var faultCloseMidStream: Personality { named("fault-close-mid-stream")! }
    public static var faultNotHTTP: Personality { named("fault-not-http")! }
    public static var faultStallBeforeHeaders: Personality { named("fault-stall-before-headers")! }
    public static var faultStallMidStream: Personality { named("fault-stall-mid-stream")! }
    public static var faultSlowDrip: Personality { named("fault-slow-drip")! }
    public static var faultHugeBody: Personality { named("fault-huge-body")! }
    public static var faultEndlessStream: Personality { named("fault-endless-stream")! }
    public static var faultTruncatedChunked: Personality { named("fault-truncated-chunked")! }
    public static var faultControlBytesInContent: Personality { named("fault-control-bytes-content")! }
    public static var faultControlBytesInHeaders: Personality { named("fault-control-bytes-headers")! }
    public static var faultHTMLErrorPage: Personality { named("fault-html-error-page")! }
    public static var faultErrorInside200: Personality { named("fault-error-in-200")! }
    public static var faultRedirectLoop: Personality { named("fault-redirect-loop")! }
    public static var faultWrongContentType: Personality { named("fault-wrong-content-type")! }
    public static var faultHostileRetryAfter: Personality { named("fault-hostile-retry-after")! }
    public static var faultAbsurdUsage: Personality { named("fault-absurd-usage")! }
    public static var faultPaddedBodies: Personality { named("fault-padded-bodies")! }
}
