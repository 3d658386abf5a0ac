/// The fields of one request as the reader meets them, kept as positions until all are seen.
struct RequestFields {
    private enum Field: Int {
        case type, id, apiKey, headers, method, path, host, clientIP, cost

        var name: StaticString {
            switch self {
            case .type: "type"
            case .id: "id"
            case .apiKey: "api_key"
            case .headers: "headers"
            case .method: "method"
            case .path: "path"
            case .host: "host"
            case .clientIP: "client_ip"
            case .cost: "cost"
            }
        }
    }

    private var seen: UInt16 = 0
    /// The first problem that is not a syntax error; reading goes on so the `id` can still be found.
    private var problem: String?
    private var kind = CheckRequest.Kind.check
    private var id: Range<Int>?
    private var cost = 1
    private var method: JSONStringToken?
    private var path: JSONStringToken?
    private var host: JSONStringToken?
    private var clientIP: JSONStringToken?
    var apiKey: JSONStringToken?
    var xAPIKey: JSONStringToken?
    var authorization: JSONStringToken?

    mutating func read(_ name: JSONStringToken, from reader: inout JSONReader) throws(JSONError) {
        guard let field = Self.field(named: name, in: reader) else {
            try reader.skipValue()
            return
        }
        let bit = UInt16(1) << field.rawValue
        if seen & bit != 0 { note("duplicate field \"\(field.name)\"") }
        seen |= bit

        let kind = try reader.peekKind()
        if kind == .null {
            try reader.readNull()
            return
        }
        switch field {
        case .type: try readType(kind, &reader)
        case .id: try readID(kind, &reader)
        case .cost: try readCost(kind, &reader)
        case .headers: try readHeaders(kind, &reader)
        case .apiKey, .method, .path, .host, .clientIP:
            guard kind == .string else { return try mismatch("\"\(field.name)\" must be a string", &reader) }
            let token = try reader.readStringToken()
            switch field {
            case .apiKey: apiKey = token
            case .method: method = token
            case .path: path = token
            case .host: host = token
            default: clientIP = token
            }
        }
    }

    /// The `id` token's bytes, if it was read.
    func rawID(in bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        id.map { Array(bytes[$0]) }
    }

    /// The finished request once the whole object has been read.
    func request(in reader: JSONReader) -> Result<CheckRequest, RequestError> {
        let rawID = rawID(in: reader.input)
        if let problem { return .failure(RequestError(message: problem, rawID: rawID)) }
        return .success(
            CheckRequest(
                kind: kind, rawID: rawID, apiKey: credential(in: reader),
                method: method.map(reader.string(for:)), path: path.map(reader.string(for:)),
                host: host.map(reader.string(for:)), clientIP: clientIP.map(reader.string(for:)), cost: cost))
    }

    // MARK: - Fields

    private static let costMessage = "\"cost\" must be an integer from 1 to \(CheckRequestDecoder.maxCost)"

    private static func field(named name: JSONStringToken, in reader: JSONReader) -> Field? {
        guard !name.hasEscapes else {
            var rawValue = 0
            while let field = Field(rawValue: rawValue) {
                if reader.equals(name, field.name) { return field }
                rawValue += 1
            }
            return nil
        }
        // Every name is told apart by its length and first byte, so one comparison settles it.
        guard !name.content.isEmpty else { return nil }
        let candidate: Field?
        switch (name.content.count, reader.input[name.content.lowerBound]) {
        case (2, _): candidate = .id
        case (4, UInt8(ascii: "t")): candidate = .type
        case (4, UInt8(ascii: "p")): candidate = .path
        case (4, UInt8(ascii: "h")): candidate = .host
        case (4, UInt8(ascii: "c")): candidate = .cost
        case (6, _): candidate = .method
        case (7, UInt8(ascii: "a")): candidate = .apiKey
        case (7, UInt8(ascii: "h")): candidate = .headers
        case (9, _): candidate = .clientIP
        default: candidate = nil
        }
        guard let candidate, reader.equals(name, candidate.name) else { return nil }
        return candidate
    }

    private mutating func readType(_ kind: JSONValueKind, _ reader: inout JSONReader) throws(JSONError) {
        let message = "\"type\" must be \"check\" or \"health\""
        guard kind == .string else { return try mismatch(message, &reader) }
        let token = try reader.readStringToken()
        if reader.equals(token, "check") {
            self.kind = .check
        } else if reader.equals(token, "health") {
            self.kind = .health
        } else {
            note(message)
        }
    }

    private mutating func readID(_ kind: JSONValueKind, _ reader: inout JSONReader) throws(JSONError) {
        guard kind == .string || kind == .number else {
            return try mismatch("\"id\" must be a string or a number", &reader)
        }
        id = try reader.skipValue()
    }

    private mutating func readCost(_ kind: JSONValueKind, _ reader: inout JSONReader) throws(JSONError) {
        guard kind == .number else { return try mismatch(Self.costMessage, &reader) }
        let text = UnsafeRawBufferPointer(rebasing: reader.input[try reader.readNumber()])
        guard let value = JSONNumber.exactInteger(text, limit: Int64(CheckRequestDecoder.maxCost)), value >= 1 else {
            return note(Self.costMessage)
        }
        cost = Int(value)
    }

    private mutating func readHeaders(_ kind: JSONValueKind, _ reader: inout JSONReader) throws(JSONError) {
        let message = "\"headers\" must be an object of strings"
        guard kind == .object else { return try mismatch(message, &reader) }
        try reader.readObject { reader, name throws(JSONError) in
            guard try reader.peekKind() == .string else { return try mismatch(message, &reader) }
            let value = try reader.readStringToken()
            if reader.equalsIgnoringCase(name, "x-api-key") {
                if xAPIKey != nil { note("duplicate header \"x-api-key\"") }
                xAPIKey = value
            } else if reader.equalsIgnoringCase(name, "authorization") {
                if authorization != nil { note("duplicate header \"authorization\"") }
                authorization = value
            }
        }
    }

    private mutating func mismatch(_ message: String, _ reader: inout JSONReader) throws(JSONError) {
        note(message)
        try reader.skipValue()
    }

    private mutating func note(_ message: String) {
        if problem == nil { problem = message }
    }
}
