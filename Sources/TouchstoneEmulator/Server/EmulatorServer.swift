import FlyingSocks
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An emulated upstream on a real socket: `127.0.0.1`, a free port, HTTP/1.1 with keep-alive.
///
/// The HTTP layer is a small one written on FlyingSocks rather than FlyingFox's `HTTPServer`,
/// because emulating upstreams needs what a general server hides: the raw request-target
/// (`/v1//chat/completions` must reach the router unnormalized), closing a connection before
/// any response byte (MLX's dropped connections), `100 Continue` for curl's `Expect`, and
/// exact control of every byte written (the base for fault injection).
public final class EmulatorServer: Sendable {
    public let knobs: Knobs
    public let chatModel: String
    public let embeddingModel: String?
    /// The fault injected into the replies in its scope (nil: none). With `.refused` the port
    /// is bound but never listened on, so every connection is refused.
    public let fault: Fault?
    /// The key requests must carry when `knobs.auth` enforces one (the configured key, or
    /// `sk-emulator` when none was given); nil when the server does not check keys.
    public var apiKey: String? { knobs.auth.enforcesKey ? emulator.apiKey : nil }

    let emulator: Emulator
    private let requestedPort: UInt16
    private let state = Locked(State())
    private let requests = Locked<(count: Int, lines: [String])>((0, []))
    /// Lines kept in `requestLog` (a long-running server keeps counting, not logging).
    public static let requestLogLimit = 1024

    /// Requests read so far (tests count what a client sent).
    public var requestCount: Int { requests.withLock { $0.count } }
    /// `METHOD path` of the first `requestLogLimit` requests, in arrival order.
    public var requestLog: [String] { requests.withLock { $0.lines } }

    private struct State {
        var port = 0
        var listener: Socket?
        var task: Task<Void, Never>?
    }

    /// - Parameter port: the port to bind; 0 (the default) picks a free one.
    public convenience init(personality: Personality, port: Int = 0) {
        self.init(knobs: personality.knobs, chatModel: personality.chatModel,
                  embeddingModel: personality.embeddingModel, apiKey: personality.apiKey, fault: personality.fault,
                  port: port)
    }

    /// - Parameter port: the port to bind; 0 (the default) picks a free one.
    public init(knobs: Knobs, chatModel: String = "emulator-chat", embeddingModel: String? = "emulator-embed",
                apiKey: String? = nil, fault: Fault? = nil, port: Int = 0) {
        self.requestedPort = UInt16(clamping: port)
        self.knobs = knobs
        self.fault = fault
        self.chatModel = chatModel
        self.embeddingModel = embeddingModel
        self.emulator = Emulator(knobs: knobs, chatModel: chatModel, embeddingModel: embeddingModel, apiKey: apiKey)
    }

    /// The port, once `start()` has returned (0 before).
    public var port: Int { state.withLock { $0.port } }

    /// `http://127.0.0.1:PORT` plus the personality's path prefix (`/v1` for most).
    public var baseURL: String { "http://127.0.0.1:\(port)\(knobs.pathPrefix.paths[0])" }

    /// Binds 127.0.0.1 (on a free port unless one was given) and returns once connections are accepted.
    public func start() async throws {
        guard state.withLock({ $0.task == nil }) else { return }
        let pool = try await SharedSocketPool.shared.pool()
        let socket = try Socket(domain: AF_INET, type: .stream)
        do {
            try socket.setValue(true, for: .localAddressReuse)
            try socket.bind(to: sockaddr_in.inet(ip4: "127.0.0.1", port: requestedPort))
            // A bound socket that never listens holds the port and refuses every connection.
            if fault?.kind != .refused { try socket.listen(maxPendingConnection: 512) }
        } catch {
            try? socket.close()
            if case SocketError.failed(_, _, let message) = error {
                throw CannotListen(port: requestedPort, reason: message)
            }
            throw error
        }
        guard case .ip4(_, let port) = try socket.sockname() else {
            try? socket.close()
            throw SocketError.unsupportedAddress
        }
        if fault?.kind == .refused {
            state.withLock {
                $0.port = Int(port)
                $0.listener = socket
                $0.task = Task {}
            }
            return
        }
        let listener = try AsyncSocket(socket: socket, pool: pool)
        let emulator = self.emulator
        let fault = self.fault
        let requests = self.requests
        let log: @Sendable (String) -> Void = { line in
            requests.withLock { r in
                r.count += 1
                if r.lines.count < EmulatorServer.requestLogLimit { r.lines.append(line) }
            }
        }
        let slot: SlotGate? = knobs.slots == .many ? nil : SlotGate()
        let task = Task {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    guard let client = try? await listener.accept() else { break }
                    // Streamed events must leave at once: without TCP_NODELAY a reused connection
                    // holds small writes ~40 ms (Nagle + delayed ACK) and skews latency figures.
                    try? client.socket.setValue(true, for: BoolSocketOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY))
                    group.addTask { await Connection(socket: client, emulator: emulator, fault: fault, onRequest: log, slot: slot).serve() }
                }
                group.cancelAll()
            }
        }
        state.withLock {
            $0.port = Int(port)
            $0.listener = socket
            $0.task = task
        }
    }

    /// Stops accepting, closes every connection and waits for them to end.
    public func stop() async {
        let (task, listener) = state.withLock { s in
            defer { s.task = nil; s.listener = nil }
            return (s.task, s.listener)
        }
        task?.cancel()
        await task?.value
        try? listener?.close()
    }

    deinit {
        state.withLock { s in
            s.task?.cancel()
            try? s.listener?.close()
        }
    }
}

/// One process-wide socket pool (an epoll loop on its own dispatch queue), started on first use.
actor SharedSocketPool {
    static let shared = SharedSocketPool()
    private var started: (any AsyncSocketPool)?

    func pool() async throws -> any AsyncSocketPool {
        if let started { return started }
        let pool = SocketPool.make()
        try await pool.prepare()
        Task.detached { try? await pool.run() }
        started = pool
        return pool
    }
}

/// A value behind a lock, for the little mutable state a `Sendable` class needs.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
