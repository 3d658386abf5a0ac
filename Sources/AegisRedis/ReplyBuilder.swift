internal import CHiredis

/// Assembles ``RedisReply`` values straight from hiredis' parser callbacks.
///
/// hiredis reports the parts of a reply in order, parents before children, so a stack of
/// unfinished arrays is enough to build the tree. Nothing is allocated on the C side: hiredis'
/// own reply objects (a `calloc` per element plus a copy of every string) are never made.
///
/// A struct behind a pointer the reader owns, rather than a class, because the callbacks reach it
/// through hiredis' `privdata` and class properties would pay a runtime exclusivity check on
/// every element.
struct ReplyBuilder {
    private struct Frame {
        var elements: [RedisReply]
        var expected: Int
    }

    private var frames: [Frame] = []
    private var finished: RedisReply?

    /// The reply completed by the last `redisReaderGetReply`, handed over once.
    mutating func take() -> RedisReply? {
        defer { finished = nil }
        return finished
    }

    fileprivate mutating func add(_ value: RedisReply) {
        var value = value
        while true {
            guard !frames.isEmpty else {
                finished = value
                return
            }
            frames[frames.count - 1].elements.append(value)
            guard frames[frames.count - 1].elements.count == frames[frames.count - 1].expected else { return }
            value = .array(frames.removeLast().elements)
        }
    }

    fileprivate mutating func beginArray(_ count: Int) {
        if count <= 0 {
            add(.array([]))
        } else {
            var elements: [RedisReply] = []
            // The count comes off the wire (up to 2^31 - 1): reserve only what a reply plausibly
            // holds and let a genuinely large one grow.
            elements.reserveCapacity(min(count, 64))
            frames.append(Frame(elements: elements, expected: count))
        }
    }

    /// The callback table hiredis calls while parsing; one for every reader, since each finds its
    /// own builder through the task's `privdata`.
    nonisolated(unsafe) static let functions: UnsafeMutablePointer<redisReplyObjectFunctions> = {
        let table = UnsafeMutablePointer<redisReplyObjectFunctions>.allocate(capacity: 1)
        table.initialize(
            to: redisReplyObjectFunctions(
                createString: { task, text, length in
                    guard let task, let builder = builder(task) else { return nil }
                    let bytes = UnsafeRawBufferPointer(start: text, count: text == nil ? 0 : length)
                    switch task.pointee.type {
                    case REDIS_REPLY_STATUS: builder.pointee.add(.status(String(decoding: bytes, as: UTF8.self)))
                    case REDIS_REPLY_ERROR: builder.pointee.add(.error(String(decoding: bytes, as: UTF8.self)))
                    default: builder.pointee.add(.bulk(Array(bytes)))
                    }
                    return marker
                },
                createArray: { task, count in
                    guard let task, let builder = builder(task) else { return nil }
                    builder.pointee.beginArray(Int(count))
                    return marker
                },
                createInteger: { task, value in
                    guard let task, let builder = builder(task) else { return nil }
                    builder.pointee.add(.integer(Int64(value)))
                    return marker
                },
                createNil: { task in
                    guard let task, let builder = builder(task) else { return nil }
                    builder.pointee.add(.null)
                    return marker
                },
                // The Swift values own their memory; there is nothing on the C side to free.
                freeObject: { _ in }))
        return table
    }()

    /// What the callbacks return: hiredis takes NULL for "out of memory", so any other address
    /// will do; it is never dereferenced.
    private static var marker: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: 0x1) }

    private static func builder(_ task: UnsafePointer<redisReadTask>) -> UnsafeMutablePointer<ReplyBuilder>? {
        task.pointee.privdata?.assumingMemoryBound(to: ReplyBuilder.self)
    }
}
