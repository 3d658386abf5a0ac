import AegisCore

/// One request in flight: from the moment its bytes are decoded until its reply is written.
final class Check {
    /// How the reply goes back: the socket protocol's framing, or an HTTP route of the bridge.
    enum Responder {
        case socket(FramingMode)
        case http(BridgeRoute, keepAlive: Bool, version: HTTPVersion, headOnly: Bool = false)
    }

    enum Phase {
        case resolving
        case limiting
        case awaitingSeed
        case answered
    }

    unowned let connection: Connection
    let responder: Responder
    let request: CheckRequest
    var phase: Phase = .resolving
    var key: CachedKey?
    /// The quota counter to seed Redis with after it came back empty.
    var seed: Int64?
    /// Monotonic milliseconds by which Redis must have answered.
    var deadline: Int64 = 0
    /// The encoded reply, when it finished before earlier requests on its connection.
    var reply: [UInt8]?

    init(connection: Connection, responder: Responder, request: CheckRequest) {
        self.connection = connection
        self.responder = responder
        self.request = request
    }
}
