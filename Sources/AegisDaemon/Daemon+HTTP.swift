import AegisCore

/// The HTTP bridge: the same check, asked by nginx, Envoy, Traefik, Caddy or a plain client.
extension Daemon {
    func parseHTTP(_ connection: Connection, _ parser: inout HTTPRequestParser) {
        while !connection.closeWhenDone && connection.inFlight < Connection.maxInFlight {
            let event = connection.input.withUnreadBytes { parser.next(in: $0) }
            switch event {
            case .needMore:
                return
            case .bodySkipped(let consumed):
                connection.input.consume(consumed)
            case .request(let head, let consumed):
                connection.input.consume(consumed)
                if !head.keepAlive { stopReading(connection) }
                submit(head, on: connection)
            case .failure(let error):
                stopReading(connection)
                guard !error.inBody else { return }
                let check = Check(
                    connection: connection, responder: .http(.health, keepAlive: false, version: .http11),
                    request: CheckRequest())
                connection.enqueue(check)
                check.phase = .answered
                deliver(check) { HTTPResponseRenderer.appendParseError(error, to: &$0) }
            }
        }
    }

    private func submit(_ head: HTTPRequestHead, on connection: Connection) {
        let keepAlive = head.keepAlive && !stopping
        switch BridgeRoute.route(head, envoyPrefix: configuration.envoyPrefix) {
        case .check(let route, let request):
            let responder = Check.Responder.http(
                route, keepAlive: keepAlive, version: head.version, headOnly: head.method == "HEAD")
            let check = Check(connection: connection, responder: responder, request: request)
            connection.enqueue(check)
            start(check)
        case .decided(let route, let decision):
            let check = Check(
                connection: connection, responder: .http(route, keepAlive: keepAlive, version: head.version),
                request: CheckRequest())
            connection.enqueue(check)
            finish(check, decision)
        case .reject(let rejection):
            let check = Check(
                connection: connection, responder: .http(.health, keepAlive: keepAlive, version: head.version),
                request: CheckRequest())
            connection.enqueue(check)
            check.phase = .answered
            deliver(check) { out in
                HTTPResponseRenderer.appendRejection(rejection, keepAlive: keepAlive, version: head.version, to: &out)
            }
        }
    }
}
