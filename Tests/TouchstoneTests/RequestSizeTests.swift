import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneKit

/// A captured value repeated in a request body cannot make the prober build an unbounded
/// request: the size is known before the body is built, and over the cap the case is
/// undecided instead of sent.
@Suite("Request size")
struct RequestSizeTests {
    static let suite = """
    suite: big
    cases:
      - feature: big.repeat
        steps:
          - id: send
            request:
              path: /chat/completions
              body:
                model: ${model}
                messages:
                  - {role: user, content: "${pad} and ${pad}"}
        verdicts:
          - verdict: supported
            detail: sent
        rule: {sends: x, supported: x}
    """

    func build(padBytes: Int) throws -> PreparedRequest {
        let suite = try SuiteLoader.load(text: Self.suite, file: "big.yaml")
        let template = try #require(suite.cases.first?.steps.first?.variants.first?.request)
        let target = try Target(name: "t", baseURL: "http://127.0.0.1:9/v1", model: "m")
        let pad = JSONValue.string(String(repeating: "a", count: padBytes))
        return try RequestBuilder(target: target, steps: [:]).build(template, variables: ["pad": pad])
    }

    @Test func aBodyOverTheCapIsRefusedBeforeItIsBuilt() throws {
        // Twice 9 MiB: 18 MiB once filled, over the 16 MiB cap.
        #expect(throws: RequestSize.TooLarge.self) { _ = try build(padBytes: 9 << 20) }
        // Twice 1 MiB is an ordinary (large) body: built and sent.
        let ok = try build(padBytes: 1 << 20)
        #expect((ok.body?.count ?? 0) > 2 << 20)
    }

    @Test func aValueInThePathIsEncodedOnlyWhenThePathUsesIt() throws {
        // A large captured value not named in the path costs nothing there.
        let ok = try build(padBytes: 1 << 20)
        #expect(ok.url == "http://127.0.0.1:9/v1/chat/completions")
    }
}
