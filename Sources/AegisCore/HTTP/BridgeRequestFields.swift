/// Reads what a check needs from the headers each proxy sends.
///
/// Who may have written a header differs by proxy, and the choices below follow that: nginx sets
/// `X-Real-IP` itself in the shipped config; Envoy with `use_remote_address` appends the peer it
/// saw to `X-Forwarded-For`, so the last entry is the one it vouches for; Traefik (without
/// `trustForwardHeader`) and Caddy replace `X-Forwarded-For` with the peer. The address and the
/// original method, path and host only feed the request log; the key alone decides.
enum BridgeRequestFields {
    static let costMessage = "X-Aegis-Cost must be an integer from 1 to \(CheckRequestDecoder.maxCost)"

    /// The check's cost from `X-Aegis-Cost`: 1 when absent, `nil` when malformed or given twice.
    static func cost(_ head: HTTPRequestHead) -> Int? {
        let values = head.headers(named: "x-aegis-cost")
        guard let value = values.first else { return 1 }
        guard values.count == 1, !value.isEmpty, value.utf8.count <= 7,
            value.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }), let cost = Int(value),
            (1...CheckRequestDecoder.maxCost).contains(cost)
        else { return nil }
        return cost
    }

    /// The request a route's check is about; `path` is left for the Envoy route to fill in.
    static func checkRequest(for route: BridgeRoute, _ head: HTTPRequestHead) -> CheckRequest {
        var request = CheckRequest(apiKey: apiKey(head))
        switch route {
        case .nginx:
            request.method = nonEmpty(head.header("x-original-method"))
            request.path = nonEmpty(head.header("x-original-uri"))
            request.host = firstNonEmpty(head, "x-original-host", "x-forwarded-host", "host")
            request.clientIP = nonEmpty(head.header("x-real-ip")) ?? forwardedFor(head, last: false)
        case .envoy:
            request.method = head.method
            request.host = nonEmpty(head.header("host"))
            request.clientIP =
                nonEmpty(head.header("x-envoy-external-address")) ?? forwardedFor(head, last: true)
                ?? nonEmpty(head.header("x-real-ip"))
        case .forwardAuth:
            request.method = nonEmpty(head.header("x-forwarded-method"))
            request.path = nonEmpty(head.header("x-forwarded-uri"))
            request.host = firstNonEmpty(head, "x-forwarded-host", "host")
            request.clientIP = forwardedFor(head, last: false) ?? nonEmpty(head.header("x-real-ip"))
        case .seedAPI, .health:
            request.method = head.method
            request.path = String(head.originForm)
            request.host = nonEmpty(head.header("host"))
            request.clientIP = nonEmpty(head.header("x-real-ip")) ?? forwardedFor(head, last: false)
        }
        return request
    }

    /// `x-api-key`, else the credential of `Authorization: Bearer <key>` (scheme without case);
    /// an empty value counts as absent.
    static func apiKey(_ head: HTTPRequestHead) -> String? {
        if let key = nonEmpty(head.header("x-api-key")) { return key }
        guard let authorization = head.header("authorization") else { return nil }
        let scheme = authorization.prefix { $0 != " " && $0 != "\t" }
        guard scheme.lowercased() == "bearer" else { return nil }
        return nonEmpty(String(HTTPSyntax.trimmed(authorization.dropFirst(scheme.count))))
    }

    /// The first or last address of every `X-Forwarded-For` field taken as one list.
    private static func forwardedFor(_ head: HTTPRequestHead, last: Bool) -> String? {
        let addresses = head.headers(named: "x-forwarded-for").flatMap { $0.split(separator: ",") }
            .map(HTTPSyntax.trimmed).filter { !$0.isEmpty }
        return (last ? addresses.last : addresses.first).map(String.init)
    }

    /// The value of the first of `names` that is present and not empty.
    private static func firstNonEmpty(_ head: HTTPRequestHead, _ names: String...) -> String? {
        names.lazy.compactMap { nonEmpty(head.header($0)) }.first
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
