import AegisTestSupport
import Testing

@testable import AegisCore

/// Heads and decisions no proxy would send, since `route` and the renderer are public and may be
/// given anything: every route must come back, and every response must be one well-framed
/// response whose headers are exactly the ones written.
@Suite struct BridgeFuzzTests {
    private static let pieces = [
        "", "/", "/envoy", "/envoy/", "/nginx", "/health", "/forward-auth", "/auth/protected", "?", "x", "%00",
        "\r\n", "\n", ":", " ", "\t", "Bearer ", "bearer\t", "1", "0", "-1", "1000000", ",", "\u{0}", "\u{7F}",
        "é", "😀", "GET", "POST", "x-api-key", "authorization", "x-aegis-cost", "x-forwarded-for", "host",
        "x-original-uri", "x-original-method", "x-forwarded-uri", "Content-Length", "Set-Cookie: a=b",
    ]

    private static func text(_ random: inout SeededGenerator) -> String {
        (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    @Test func routesAndRendersAnything() throws {
        var random = SeededGenerator(seed: 0xB41D_6E00)
        for _ in 0..<5_000 {
            var headers: [Header] = []
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                let name = Bool.random(using: &random) ? Self.pieces.randomElement(using: &random)! : Self.text(&random)
                headers.append(Header(name.lowercased(), Self.text(&random)))
            }
            let head = HTTPRequestHead(
                method: Self.text(&random), target: Self.text(&random), headers: headers,
                keepAlive: Bool.random(using: &random))
            let prefix = Bool.random(using: &random) ? "/envoy" : Self.text(&random)

            let decision: Decision
            let route: BridgeRoute
            switch BridgeRoute.route(head, envoyPrefix: prefix) {
            case .check(let checked, let request):
                #expect(request.cost >= 1 && request.cost <= CheckRequestDecoder.maxCost)
                route = checked
                decision = Decision(
                    reason: Reason.allCases.randomElement(using: &random)!, tenantID: request.apiKey,
                    headers: [Header(Self.text(&random), Self.text(&random))],
                    body: .error(request.path ?? Self.text(&random)))
            case .decided(let decided, let made):
                route = decided
                decision = made
            case .reject(let rejection):
                var out: [UInt8] = []
                HTTPResponseRenderer.appendRejection(rejection, keepAlive: head.keepAlive, to: &out)
                #expect(HTTPTestResponse(out) != nil)
                continue
            }

            var out: [UInt8] = []
            HTTPResponseRenderer.appendDecision(decision, for: route, keepAlive: head.keepAlive, to: &out)
            let response = try #require(HTTPTestResponse(out), "\(String(decoding: out, as: UTF8.self))")
            #expect(response.headers.allSatisfy { !$0.name.isEmpty && $0.name.utf8.allSatisfy(HTTPSyntax.isToken) })
            let statuses: Set = route == .nginx ? [200, 401, 403] : [200, 400, 401, 403, 429, 503]
            #expect(statuses.contains(response.status))
        }
    }
}
