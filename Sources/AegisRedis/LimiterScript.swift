import AegisCore
internal import CCrypto
import Foundation

/// The limiter script (`Scripts/limiter.lua`): burst, sustained rate and monthly quota decided
/// for one check in one atomic call, all or nothing.
///
/// An invocation is `EVALSHA <sha1> 2 {tenant}:s {tenant}:w` followed by the plan, the
/// cost, the seed and the clock. Redis answers ``RedisReply/isNoScript`` when its script cache is
/// empty (after a restart or `SCRIPT FLUSH`); send the same check again with `useEval: true`,
/// which carries the source and caches it again. The script file documents keys, arguments and
/// reply.
public enum LimiterScript {
    /// The script text; empty only when the resource bundle is missing (see ``validate()``).
    public static var source: String { (try? bundled.get())?.source ?? "" }

    /// The lowercase hex SHA-1 of ``source``, the name `EVALSHA` and `SCRIPT LOAD` use.
    public static var sha1: String { (try? bundled.get())?.sha1 ?? "" }

    /// Throws when the script could not be read from the module's resource bundle. Call it at
    /// start-up: without the script every invocation fails.
    /// - Throws: ``RedisError/Code/resource`` naming the missing file.
    public static func validate() throws(RedisError) {
        _ = try bundled.get()
    }

    /// The two keys of a tenant, in the order the script declares them: the hash with the month's
    /// counter and the short-term state, and the window. Each carries the tenant as hash tag, so
    /// a Redis Cluster keeps them in one slot.
    public static func keys(tenantID: String) -> [String] {
        keySuffixes.map { "{\(tenantID)\($0)" }
    }

    /// The largest number the script accepts: above 2^53 Lua's doubles stop counting in ones.
    public static let largestNumber: Int64 = 1 << 53 - 1

    /// Appends one limiter call to `buffer`.
    /// - Parameters:
    ///   - tenantID: Whose limits; it becomes the keys' hash tag, so it must not contain `}`.
    ///   - plan: The limits. Quotas above ``largestNumber`` (meaning "unlimited") and negative
    ///     values are clamped into `0...largestNumber`.
    ///   - cost: How many requests this check counts as, at least 1 (the script rejects less).
    ///   - seed: The month's counter from `monthly_usage`, after a ``LimiterResult/needsSeed(month:)``;
    ///     stored only when Redis still has none.
    ///   - nowMicros: The clock in microseconds since the epoch; `nil` lets the script read Redis
    ///     `TIME`, which all daemons sharing the server agree on. Tests inject a clock here.
    ///   - useEval: Send `EVAL` with the source instead of `EVALSHA`, after a `NOSCRIPT` reply.
    public static func appendInvocation(
        tenantID: String, plan: Plan, cost: Int, seed: Int64?, nowMicros: Int64?, useEval: Bool,
        to buffer: inout [UInt8]
    ) {
        guard let script = try? bundled.get() else {
            // Without a script there is nothing to call; Redis answers the empty EVAL with an
            // error and the caller's fail mode applies. validate() reports this at start-up.
            RESPWriter.appendCommand(["EVAL", "", "0"], to: &buffer)
            return
        }
        let prefix = useEval ? script.evalPrefix : script.evalshaPrefix
        let tenantLength = tenantID.utf8.count
        let capacity =
            prefix.count + keySuffixes.count * (tenantLength + 4 + ByteWriter.maximumIntegerBulk)
            + argumentCount * ByteWriter.maximumIntegerBulk
        buffer.appendWriting(maxCount: capacity) { out in
            out.write(prefix)
            for suffix in keySuffixes {
                out.writeRESPHeader(UInt8(ascii: "$"), tenantLength + 4)
                out.write(UInt8(ascii: "{"))
                out.writeUTF8(tenantID)
                out.writeUTF8(suffix)
                out.writeCRLF()
            }
            out.writeBulk(clamped(Int64(plan.burstRPS)))
            out.writeBulk(clamped(Int64(plan.sustainedRPM)))
            out.writeBulk(clamped(plan.monthlyQuota))
            out.write(plan.enforcement == .hard ? hardArgument : softArgument)
            out.writeBulk(min(Int64(cost), largestNumber))
            if let seed {
                out.writeBulk(clamped(seed))
            } else {
                out.write(emptyArgument)
            }
            if let nowMicros {
                out.writeBulk(nowMicros)
            } else {
                out.write(emptyArgument)
            }
        }
    }

    private static let hardArgument = Array("$4\r\nhard\r\n".utf8)
    private static let softArgument = Array("$4\r\nsoft\r\n".utf8)
    private static let emptyArgument = Array("$0\r\n\r\n".utf8)

    /// The suffixes after `{tenant}`: the state hash (month counter included) and the window.
    private static let keySuffixes = ["}:s", "}:w"]

    /// ARGV: burst, rate, quota, enforcement, cost, seed, clock.
    private static let argumentCount = 7

    private static func clamped(_ value: Int64) -> Int64 {
        min(max(value, 0), largestNumber)
    }

    /// What one read of the bundle gives, with the fixed start of both invocation forms encoded
    /// once so the hot path only appends bytes.
    private struct Bundled: Sendable {
        var source: String
        var sha1: String
        var evalshaPrefix: [UInt8]
        var evalPrefix: [UInt8]

        init(source: String) {
            self.source = source
            sha1 = LimiterScript.sha1Hex(source)
            evalshaPrefix = Self.prefix(command: "EVALSHA", script: sha1)
            evalPrefix = Self.prefix(command: "EVAL", script: source)
        }

        /// The array header, the command, the script or its hash, and the key count.
        private static func prefix(command: String, script: String) -> [UInt8] {
            var bytes: [UInt8] = []
            RESPWriter.appendArrayHeader(count: 3 + keySuffixes.count + argumentCount, to: &bytes)
            RESPWriter.appendBulk(command, to: &bytes)
            RESPWriter.appendBulk(script, to: &bytes)
            RESPWriter.appendBulk(keySuffixes.count, to: &bytes)
            return bytes
        }
    }

    private static let bundled: Result<Bundled, RedisError> = Result { () throws(RedisError) in
        Bundled(source: try readBundledSource())
    }

    /// Reads `Scripts/limiter.lua` through `Bundle.module`. The generated accessor stops the
    /// process when the bundle is not beside the executable (nor in the build directory), so its
    /// usual place is checked first and a missing bundle becomes an error to report.
    private static func readBundledSource() throws(RedisError) -> String {
        let bundleName = "aegis_AegisRedis.resources"
        let beside = Bundle.main.bundleURL.appendingPathComponent(bundleName)
        guard FileManager.default.fileExists(atPath: beside.path) else {
            throw RedisError(.resource, "\(bundleName) not found beside the executable at \(beside.path)")
        }
        guard let url = Bundle.module.url(forResource: "limiter", withExtension: "lua", subdirectory: "Scripts"),
            let data = FileManager.default.contents(atPath: url.path),
            let text = String(data: data, encoding: .utf8)
        else {
            throw RedisError(.resource, "Scripts/limiter.lua missing or unreadable in \(beside.path)")
        }
        return text
    }

    /// Lowercase hex SHA-1, as Redis names cached scripts.
    static func sha1Hex(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA_DIGEST_LENGTH))
        let bytes = Array(text.utf8)
        _ = SHA1(bytes, bytes.count, &digest)
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(digest.count * 2)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
