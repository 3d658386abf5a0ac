import Testing

@testable import AegisCore

private func render(
    _ decision: Decision, for route: BridgeRoute, keepAlive: Bool = true, version: HTTPVersion = .http11
) throws -> HTTPTestResponse {
    var out: [UInt8] = Array("leading bytes stay".utf8)
    HTTPResponseRenderer.appendDecision(decision, for: route, keepAlive: keepAlive, version: version, to: &out)
    #expect(out.starts(with: "leading bytes stay".utf8))
    return try #require(HTTPTestResponse(Array(out.dropFirst(18))))
}

/// A decision for each reason, as the daemon would build it.
private func decision(_ reason: Reason) -> Decision {
    let plan = Plan(burstRPS: 10, sustainedRPM: 600, monthlyQuota: 100_000, enforcement: .hard)
    switch reason {
    case .ok, .quotaOverage, .burstExceeded, .rateExceeded, .quotaExceeded:
        let outcome = LimitOutcome(
            reason: reason, burstRemaining: 0, burstResetMs: 1_200, rateRemaining: 0, rateResetMs: 41_000,
            quotaUsed: 100_000, quotaResetMs: 86_400_000, retryAfterMs: 100, nowMs: 1_780_000_000_000, month: 202606)
        return .limited(outcome, plan: plan, cost: 1, tenantID: "0190a1b2-tenant")
    case .failOpen:
        return .failOpen(tenantID: "0190a1b2-tenant")
    case .tenantSuspended:
        return .denied(reason, tenantID: "0190a1b2-tenant")
    case .missingKey, .invalidKey, .badRequest, .unavailable:
        return .denied(reason)
    }
}

private func bodyJSON(_ decision: Decision) -> String {
    var out: [UInt8] = []
    decision.body?.appendBodyJSON(to: &out)
    return String(decoding: out, as: UTF8.self)
}

@Suite struct HTTPResponseRendererTests {
    @Test(arguments: Reason.allCases)
    func rendersForNginx(reason: Reason) throws {
        let decision = decision(reason)
        let response = try render(decision, for: .nginx)
        #expect(response.header("X-Aegis-Reason") == reason.rawValue)
        #expect(response.header("X-Aegis-Tenant") == decision.tenantID)
        for header in decision.headers { #expect(response.header(header.name) == header.value) }

        if reason.allows {
            #expect(response.status == 200)
            #expect(response.body.isEmpty && response.header("Content-Type") == nil)
            #expect(response.header("X-Aegis-Status") == nil && response.header("X-Aegis-Body") == nil)
        } else {
            // nginx takes only 401 and 403 as denials; anything else would reach the client as a 500.
            #expect(response.status == ([.missingKey, .invalidKey].contains(reason) ? 401 : 403))
            #expect(response.header("X-Aegis-Status") == String(reason.status))
            // The body rides in a header: nginx drops a kept-alive connection whose body it did not read.
            #expect(response.header("X-Aegis-Body") == bodyJSON(decision))
            #expect(response.body.isEmpty && response.header("Content-Length") == "0")
        }
        #expect((response.header("Retry-After") != nil) == ([429, 503].contains(reason.status)))
        #expect((response.header("WWW-Authenticate") != nil) == (response.status == 401))
    }

    @Test(arguments: Reason.allCases)
    func rendersForEnvoy(reason: Reason) throws {
        let decision = decision(reason)
        let response = try render(decision, for: .envoy)
        // Only exactly 200 allows; any 5xx is Envoy's cue for its failure policy.
        #expect(response.status == (reason.allows ? 200 : reason.status))
        #expect(response.names.contains("x-aegis-reason"))
        #expect(response.header("x-aegis-reason") == reason.rawValue)
        #expect(response.header("x-aegis-tenant") == decision.tenantID)
        for header in decision.headers { #expect(response.header(header.name) == header.value) }
        #expect(response.body == (reason.allows ? "" : bodyJSON(decision)))
        #expect(response.header("Content-Type") == (reason.allows ? nil : "application/json"))
        #expect(response.header("X-Aegis-Body") == nil)
    }

    @Test(arguments: Reason.allCases)
    func rendersForForwardAuth(reason: Reason) throws {
        let decision = decision(reason)
        let response = try render(decision, for: .forwardAuth)
        #expect(response.status == reason.status)
        #expect(response.header("X-Aegis-Tenant") == decision.tenantID)
        for header in decision.headers { #expect(response.header(header.name) == header.value) }
        #expect(response.body == (reason.allows ? "" : bodyJSON(decision)))
    }

    @Test(arguments: Reason.allCases)
    func rendersForTheSeedAPI(reason: Reason) throws {
        let decision = decision(reason)
        let response = try render(decision, for: .seedAPI)
        #expect(response.status == reason.status)
        #expect(response.body == (reason.allows ? #"{"ok":true}"# : bodyJSON(decision)))
        #expect(response.header("Content-Type") == "application/json")
        for header in decision.headers { #expect(response.header(header.name) == header.value) }
        #expect(response.header("X-Aegis-Reason") == nil)
    }

    @Test func rendersAnNginxRateLimitExactly() {
        let decision = Decision(
            reason: .rateExceeded, tenantID: "t1",
            headers: [Header("X-RateLimit-Limit", "600"), Header("Retry-After", "41")],
            body: .limitExceeded(limit: 600, window: "60s", current: 601))
        var out: [UInt8] = []
        HTTPResponseRenderer.appendDecision(decision, for: .nginx, keepAlive: true, to: &out)
        let body = #"{"error":"Rate limit exceeded","limit":600,"window":"60s","current":601}"#
        let expected =
            "HTTP/1.1 403 Forbidden\r\nX-Aegis-Status: 429\r\nX-Aegis-Tenant: t1\r\nX-Aegis-Reason: rate_exceeded\r\n"
            + "X-RateLimit-Limit: 600\r\nRetry-After: 41\r\nX-Aegis-Body: \(body)\r\n"
            + "Content-Length: 0\r\n\r\n"
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func rendersAnEnvoyAllowExactly() {
        let decision = Decision(reason: .ok, tenantID: "t1", headers: [Header("RateLimit", #""minute";r=5;t=9"#)])
        var out: [UInt8] = []
        HTTPResponseRenderer.appendDecision(decision, for: .envoy, keepAlive: true, to: &out)
        let expected =
            "HTTP/1.1 200 OK\r\nx-aegis-tenant: t1\r\nx-aegis-reason: ok\r\nRateLimit: \"minute\";r=5;t=9\r\n"
            + "Content-Length: 0\r\n\r\n"
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func saysWhenTheConnectionCloses() throws {
        let allow = decision(.ok)
        #expect(try render(allow, for: .seedAPI).header("Connection") == nil)
        #expect(try render(allow, for: .seedAPI, keepAlive: false).header("Connection") == "close")
        #expect(try render(allow, for: .nginx, version: .http10).header("Connection") == "keep-alive")
        #expect(try render(allow, for: .nginx, keepAlive: false, version: .http10).header("Connection") == "close")
    }

    @Test func neverLetsAValueStartAHeaderOfItsOwn() throws {
        let decision = Decision(
            reason: .tenantSuspended, tenantID: "t1\r\nSet-Cookie: stolen=1",
            headers: [
                Header("X-Note", "a\nb\rc\u{0}d\u{7F}e"), Header("X Bad", "v"), Header("Bad\r\nName", "v"),
                Header("Content-Length", "0"), Header("connection", "close"), Header("", "v"),
            ],
            body: .error("line one\r\nX-Injected: yes"))
        for route in BridgeRoute.allCases {
            let response = try render(decision, for: route)
            #expect(response.header("Set-Cookie") == nil && response.header("X-Injected") == nil)
            #expect(response.header("X-Note") == "a b c d e")
            #expect(response.header("Connection") == nil)
            #expect(!response.names.contains { $0.contains(" ") || $0.isEmpty || $0 == "Bad" || $0 == "Name" })
            #expect(response.body == (route == .nginx ? "" : #"{"error":"line one\r\nX-Injected: yes"}"#))
        }
        let nginx = try render(decision, for: .nginx)
        #expect(nginx.header("X-Aegis-Tenant") == "t1  Set-Cookie: stolen=1")
        #expect(nginx.header("X-Aegis-Body") == #"{"error":"line one\r\nX-Injected: yes"}"#)
    }

    @Test func rendersHealth() throws {
        var out: [UInt8] = []
        HTTPResponseRenderer.appendHealth(redisUp: true, postgresUp: false, keepAlive: true, to: &out)
        let response = try #require(HTTPTestResponse(out))
        #expect(response.status == 200)
        #expect(response.body == #"{"message":"hoho","redis":"up","postgres":"down"}"#)
        #expect(response.header("Content-Type") == "application/json")

        out = []
        HTTPResponseRenderer.appendHealth(redisUp: false, postgresUp: true, keepAlive: false, to: &out)
        let down = try #require(HTTPTestResponse(out))
        #expect(down.status == 200 && down.header("Connection") == "close")
        #expect(down.body == #"{"message":"hoho","redis":"down","postgres":"up"}"#)
    }

    @Test func rendersRejections() throws {
        var out: [UInt8] = []
        HTTPResponseRenderer.appendRejection(.notFound, keepAlive: true, to: &out)
        let notFound = try #require(HTTPTestResponse(out))
        #expect(notFound.status == 404 && notFound.body == #"{"error":"Not found"}"#)
        #expect(String(decoding: out, as: UTF8.self).hasPrefix("HTTP/1.1 404 Not Found\r\n"))

        out = []
        HTTPResponseRenderer.appendRejection(.methodNotAllowed(allow: "GET"), keepAlive: true, to: &out)
        let wrongMethod = try #require(HTTPTestResponse(out))
        #expect(wrongMethod.status == 405 && wrongMethod.header("Allow") == "GET")
        #expect(wrongMethod.body == #"{"error":"Method not allowed"}"#)
    }

    @Test(arguments: [
        (HTTPParseError.Code.bareLineFeed, 400, "LF not preceded by CR"),
        (.headersTooLarge, 431, "Header section too large"),
        (.requestLineTooLong, 414, "Request line too long"),
        (.bodyTooLarge, 413, "Request body too large"),
        (.unsupportedTransferEncoding, 501, "Unsupported transfer coding"),
        (.unsupportedVersion, 505, "HTTP version not supported"),
    ])
    func rendersParseErrorsAndCloses(code: HTTPParseError.Code, status: Int, message: String) throws {
        var out: [UInt8] = []
        HTTPResponseRenderer.appendParseError(HTTPParseError(code), to: &out)
        let response = try #require(HTTPTestResponse(out))
        #expect(response.status == status)
        #expect(response.header("Connection") == "close")
        #expect(response.body == #"{"error":"\#(message)"}"#)
    }
}
