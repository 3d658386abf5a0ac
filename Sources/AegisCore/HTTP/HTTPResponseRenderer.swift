/// Renders the bridge's answers as HTTP/1.1 responses, in the shape each proxy understands.
///
/// Every response carries `Content-Length`, `Content-Type: application/json` when it has a body,
/// and `Connection: close` when the connection ends after it.
public enum HTTPResponseRenderer {
    /// Appends the response for a check's decision.
    ///
    /// - nginx: 200 to allow, with `X-Aegis-Tenant`, `X-Aegis-Reason` and the limit headers, no body.
    ///   A deny is 401 (missing or invalid key) or 403 (everything else), because nginx turns any
    ///   other status into a 500; `X-Aegis-Status` names the true status and `X-Aegis-Body` carries
    ///   the JSON body (the response itself has none, so nginx keeps the connection alive) for the
    ///   nginx config to give the client.
    /// - Envoy: exactly 200 to allow (with lower-case `x-aegis-tenant` and `x-aegis-reason` for the
    ///   upstream); a deny has its true status, which Envoy passes to the client. `unavailable` is
    ///   a 503, so Envoy applies its own failure policy.
    /// - forward-auth: 200 to allow with the headers to copy; a deny has its true status, which
    ///   Traefik and Caddy pass to the client as it is.
    /// - the seed's API (and `.health`, which has no decision of its own): 200 `{"ok":true}` with
    ///   the limit headers, or the true status and the deny body.
    ///
    /// - Parameters:
    ///   - decision: The check's answer.
    ///   - route: The endpoint the request came in on.
    ///   - keepAlive: Whether the connection stays open (`HTTPRequestHead.keepAlive`, unless the
    ///     daemon is closing it anyway).
    ///   - version: The request's version.
    ///   - headOnly: The request was `HEAD` (Envoy passes the client's method on): no body is sent.
    ///   - out: The connection's output buffer.
    public static func appendDecision(
        _ decision: Decision, for route: BridgeRoute, keepAlive: Bool, version: HTTPVersion = .http11,
        headOnly: Bool = false, to out: inout [UInt8]
    ) {
        var body: [UInt8] = []
        if !decision.allows {
            (decision.body ?? .error(Decision.defaultMessage(for: decision.reason))).appendBodyJSON(to: &body)
        } else if route == .seedAPI || route == .health {
            body.append(contentsOf: #"{"ok":true}"#.utf8)
        }

        let status = self.status(of: decision, for: route)
        HTTPResponseWriter.appendStatusLine(status, to: &out)
        switch route {
        case .nginx:
            if !decision.allows { HTTPResponseWriter.appendHeader("X-Aegis-Status", decision.status, to: &out) }
            appendAegisHeaders(decision, tenant: "X-Aegis-Tenant", reason: "X-Aegis-Reason", to: &out)
        case .envoy:
            appendAegisHeaders(decision, tenant: "x-aegis-tenant", reason: "x-aegis-reason", to: &out)
        case .forwardAuth:
            appendAegisHeaders(decision, tenant: "X-Aegis-Tenant", reason: "X-Aegis-Reason", to: &out)
        case .seedAPI, .health:
            break
        }
        if let limits = decision.limits {
            out.appendWriting(maxCount: LimitHeaders.maxHTTPFieldsLength) { limits.writeHTTPFields(to: &$0) }
        }
        if let retryAfter = decision.retryAfter {
            HTTPResponseWriter.appendHeader("Retry-After", Int(truncatingIfNeeded: retryAfter), to: &out)
        }
        for header in decision.extraHeaders {
            HTTPResponseWriter.appendHeader(header.name, header.value, to: &out)
        }
        if status == 401 {
            // RFC 9110 §15.5.2: a 401 names the scheme it wants.
            HTTPResponseWriter.appendHeader("WWW-Authenticate", #"Bearer realm="aegis""#, to: &out)
        }
        // nginx never reads an auth subrequest's body, and a response whose body it did not read
        // costs it the kept-alive connection; the body travels in X-Aegis-Body instead.
        if route == .nginx, !decision.allows {
            HTTPResponseWriter.appendHeader("X-Aegis-Body", String(decoding: body, as: UTF8.self), to: &out)
            body = []
        }
        HTTPResponseWriter.appendBody(body, keepAlive: keepAlive, version: version, headOnly: headOnly, to: &out)
    }

    /// Appends the answer to `GET /health`: always 200, so a proxy's probe sees the bridge itself
    /// answering, with the seed's body and the dependencies' states,
    /// `{"message":"hoho","redis":"up","postgres":"down"}`.
    public static func appendHealth(
        redisUp: Bool, postgresUp: Bool, keepAlive: Bool, version: HTTPVersion = .http11, to out: inout [UInt8]
    ) {
        var body: [UInt8] = []
        ReplyEncoder.appendHealthReply(rawID: nil, redisUp: redisUp, postgresUp: postgresUp, to: &body)
        HTTPResponseWriter.appendStatusLine(200, to: &out)
        HTTPResponseWriter.appendBody(body, keepAlive: keepAlive, version: version, to: &out)
    }

    /// Appends the answer for a request that reached no endpoint (404, or 405 with `Allow`).
    public static func appendRejection(
        _ rejection: BridgeRejection, keepAlive: Bool, version: HTTPVersion = .http11, to out: inout [UInt8]
    ) {
        HTTPResponseWriter.appendStatusLine(rejection.status, to: &out)
        if let allow = rejection.allow { HTTPResponseWriter.appendHeader("Allow", allow, to: &out) }
        HTTPResponseWriter.appendBody(errorBody(rejection.message), keepAlive: keepAlive, version: version, to: &out)
    }

    /// Appends the answer to bytes that are not a valid request: the error's status (400, 413,
    /// 414, 431, 501 or 505) with `{"error":"..."}`, and `Connection: close`, since nothing after
    /// it can be framed with confidence.
    public static func appendParseError(_ error: HTTPParseError, to out: inout [UInt8]) {
        HTTPResponseWriter.appendStatusLine(error.status, to: &out)
        let message = error.message.prefix(1).uppercased() + error.message.dropFirst()
        HTTPResponseWriter.appendBody(errorBody(message), keepAlive: false, version: .http11, to: &out)
    }

    /// The status line's code for a decision on a route.
    static func status(of decision: Decision, for route: BridgeRoute) -> Int {
        guard !decision.allows else { return 200 }
        // A deny must never read as an allow, whatever status a reason might one day carry.
        let status = (400...599).contains(decision.status) ? decision.status : 403
        guard route == .nginx else { return status }
        return status == 401 ? 401 : 403
    }

    private static func appendAegisHeaders(
        _ decision: Decision, tenant: String, reason: String, to out: inout [UInt8]
    ) {
        if let tenantID = decision.tenantID { HTTPResponseWriter.appendHeader(tenant, tenantID, to: &out) }
        HTTPResponseWriter.appendHeader(reason, decision.reason.rawValue, to: &out)
    }

    private static func errorBody(_ message: String) -> [UInt8] {
        var body: [UInt8] = []
        DenyBody.error(message).appendBodyJSON(to: &body)
        return body
    }
}
