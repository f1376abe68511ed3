import TouchstoneCore

/// What a finished run gives back: its report (outlines: no evidence), the redactor its outputs
/// passed through, and the exit status with the lines that explain it.
public struct RunOutcome: Sendable {
    public var report: Report
    public var redactor: Redactor
    /// Reports that could not be written (each already told to the observer).
    public var reportsUnwritten: Int
    /// Why the run was cut short (`--deadline`, a signal), if it was.
    public var stopReason: String?
    public var status: ExitStatus
    /// The lines explaining `status`, redacted, for standard error.
    public var messages: [String]
}
