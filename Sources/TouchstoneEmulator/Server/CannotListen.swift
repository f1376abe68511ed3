/// The emulator could not bind or listen on the port asked for (busy, or privileged).
public struct CannotListen: Error, CustomStringConvertible, Sendable {
    public let port: UInt16
    public let reason: String
    public var description: String { "cannot listen on 127.0.0.1:\(port): \(reason)" }
}
