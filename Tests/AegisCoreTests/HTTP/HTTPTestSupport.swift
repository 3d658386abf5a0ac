@testable import AegisCore

/// What a caller saw after feeding bytes to a parser the way the daemon does: append what arrived,
/// call `next(in:)` until `.needMore`, drop what each event consumed.
struct HTTPParseRun {
    var heads: [HTTPRequestHead] = []
    var skippedBodyBytes = 0
    var error: HTTPParseError?
    /// Bytes still in the caller's buffer at the end.
    var leftover: [UInt8] = []
}

/// Feeds `input` in pieces ending at each offset of `cuts` (then the rest).
func parse(_ input: [UInt8], cuts: [Int] = [], limits: HTTPLimits = .init()) -> HTTPParseRun {
    var parser = HTTPRequestParser(limits: limits)
    var run = HTTPParseRun()
    var buffer: [UInt8] = []
    var fed = 0
    for end in cuts + [input.count] where end > fed {
        buffer += input[fed..<end]
        fed = end
        drain(&parser, &buffer, into: &run)
        if run.error != nil { break }
    }
    run.leftover = buffer
    return run
}

func parse(_ text: String, cuts: [Int] = [], limits: HTTPLimits = .init()) -> HTTPParseRun {
    parse(Array(text.utf8), cuts: cuts, limits: limits)
}

private func drain(_ parser: inout HTTPRequestParser, _ buffer: inout [UInt8], into run: inout HTTPParseRun) {
    while true {
        let event = buffer.withUnsafeBytes { parser.next(in: $0) }
        switch event {
        case .needMore:
            return
        case .request(let head, let consumed):
            run.heads.append(head)
            buffer.removeFirst(consumed)
        case .bodySkipped(let consumed):
            run.skippedBodyBytes += consumed
            buffer.removeFirst(consumed)
        case .failure(let error):
            run.error = error
            return
        }
    }
}

/// Parses one complete head, or returns `nil`.
func parseHead(_ text: String) -> HTTPRequestHead? {
    let run = parse(text)
    return run.heads.count == 1 && run.error == nil ? run.heads[0] : nil
}

/// A small deterministic generator (SplitMix64), so a failing fuzz case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
