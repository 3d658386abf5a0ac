import AegisCore

/// Commands that ask a running `aegisd` over its socket rather than the database.
enum DaemonCommands {
    static let commands = [
        Command(
            words: ["check"], summary: "Ask aegisd whether a request with this key may pass",
            usage: "check --key KEY [--method M] [--path P] [--cost N]",
            details: """
                Sends one check over aegisd's socket (--socket or AEGIS_SOCKET) and prints the reply.
                Exits 0 when the request is allowed, 1 when it is denied, 2 when aegisd cannot answer.
                The check counts against the key's limits like any other.
                """,
            options: [
                .value("key", "KEY", help: "the raw API key to check"),
                .value("method", "M", help: "the request's method (default GET)"),
                .value("path", "P", help: "the request's path (default /)"),
                .value("cost", "N", help: "how many requests it counts as (default 1)"),
            ],
            action: check),
        Command(
            words: ["health"], summary: "Ask aegisd whether it runs and reaches Redis and PostgreSQL",
            usage: "health",
            details: """
                Exits 0 when aegisd answers, whatever the state of its dependencies (they are printed),
                and 2 when it does not answer: fit for a liveness or readiness probe.
                """,
            action: health),
    ]

    private static func check(_ invocation: Invocation) throws {
        let arguments = invocation.arguments
        var request: [String: Any] = [
            "api_key": try arguments.requiredValue("key"),
            "method": arguments.value("method") ?? "GET",
            "path": arguments.value("path") ?? "/",
        ]
        if let cost = try arguments.integer("cost", in: 1...Int64(CheckRequestDecoder.maxCost)) {
            request["cost"] = cost
        }
        let reply = try ask(invocation, request)
        let allowed = reply["allow"] as? Bool == true
        invocation.exitStatus = allowed ? ExitStatus.success : ExitStatus.failure

        var lines = [
            "\(allowed ? "allowed" : "denied"): \(reply["reason"] as? String ?? "?") (\(reply["status"] ?? "?"))"
        ]
        if let tenant = reply["tenant_id"] as? String { lines.append("tenant: \(tenant)") }
        let headers = reply["headers"] as? [String: String] ?? [:]
        for name in headers.keys.sorted() { lines.append("\(name): \(headers[name]!)") }
        if let body = reply["body"] as? [String: Any] { lines.append("body: \(JSONText.encode(body))") }
        invocation.output(json: reply, text: lines)
    }

    private static func health(_ invocation: Invocation) throws {
        let reply = try ask(invocation, ["type": "health"])
        invocation.output(
            json: reply,
            text: [
                "aegisd: \(reply["message"] as? String == "hoho" ? "up" : "answering oddly")",
                "redis: \(reply["redis"] as? String ?? "?")",
                "postgres: \(reply["postgres"] as? String ?? "?")",
            ])
    }

    /// One request to aegisd; a daemon that cannot be reached is exit status 2.
    private static func ask(_ invocation: Invocation, _ request: [String: Any]) throws -> [String: Any] {
        guard let path = invocation.settings.socketPath else {
            throw CommandLineError.usage("no socket configured: pass --socket or set AEGIS_SOCKET")
        }
        do {
            return try SocketClient(path: path).exchange(request)
        } catch {
            throw CommandLineError.usage(error.description)
        }
    }
}
