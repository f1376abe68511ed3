/// Exit codes, in one place (documented in `--help` and the README).
public enum ExitStatus: Int32, Sendable {
    case ok = 0
    /// A verdict the run was told to fail on (`--fail-on`, default: ignored, broken).
    case verdictFailure = 1
    /// Bad usage, a bad suite file or bad configuration: nothing was sent.
    case usage = 2
    /// No target answered a single request (refused, DNS, TLS, timeouts).
    case unreachable = 3
    /// `--deadline` passed before every case finished: the reports are partial.
    case deadline = 4
    /// The run finished but a report could not be written (a full disk, a closed pipe); every
    /// other report was written. Wins over 1, 3 and 4.
    case reportNotWritten = 5
    /// The preflight stopped a target on a configuration error the upstream revealed: a refused
    /// or missing key, a base URL lacking `/v1`, a model it does not serve. Other targets ran.
    case configuration = 6
    /// SIGINT (Ctrl-C) stopped the run: partial reports were written (128 + 2).
    case interrupted = 130
    /// SIGTERM stopped the run: partial reports were written (128 + 15).
    case terminated = 143

    public static let help = """
    Exit codes: 0 done, nothing to fail on; 1 a verdict listed in --fail-on
    (default: ignored, broken); 2 usage, suite or configuration error (nothing was
    sent), or no --model while the upstream lists several (only the preflight's GET
    /models was sent); 3 no target could be reached at all; 4 --deadline passed,
    the reports are partial; 5 a report could not be written (the others were); 6
    the preflight stopped a target: the upstream refused its key, its base URL
    needs /v1, or it does not serve its model (other targets ran); 130 (SIGINT)
    and 143 (SIGTERM) the run was stopped, the reports are partial.
    """
}
