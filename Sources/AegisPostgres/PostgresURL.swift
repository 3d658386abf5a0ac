internal import CLibPQ

/// Reading database URLs without ever showing their passwords.
///
/// Accepts what libpq accepts: `postgresql://` or `postgres://` URIs and `key=value` strings.
public enum PostgresURL {
    /// A description of where the URL points (`user@host:port/dbname`), safe to log; `nil` when
    /// libpq cannot parse it.
    public static func describe(_ url: String) -> String? {
        guard let options = parse(url) else { return nil }
        let host = options["host"] ?? options["hostaddr"] ?? "localhost"
        var text = options["user"].map { "\($0)@" } ?? ""
        text += host
        if let port = options["port"] { text += ":\(port)" }
        if let database = options["dbname"] { text += "/\(database)" }
        return text
    }

    /// The password the URL carries, if any (`user:password@`, `?password=` or `password=`).
    static func password(in url: String) -> String? {
        if let password = parse(url)?["password"], !password.isEmpty { return password }
        return userInfoPassword(url)
    }

    /// Removes the URL's password from a message, whether the message quotes the URL whole or the
    /// password alone (libpq quotes a malformed URI in full in some of its errors).
    public static func redact(_ url: String, in message: String) -> String {
        var message = message
        if let secret = userInfoPassword(url), !secret.isEmpty {
            message = message.replacing(secret, with: "***")
        }
        if let secret = password(in: url), !secret.isEmpty {
            message = message.replacing(secret, with: "***")
        }
        return message
    }

    /// The libpq connection options the URL sets, decoded.
    static func parse(_ url: String) -> [String: String]? {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &error) else {
            PQfreemem(error)
            return nil
        }
        defer { PQconninfoFree(options) }
        var result: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                result[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        return result
    }

    /// The raw text between `:` and `@` of a URI's user info, as written (still percent-encoded).
    private static func userInfoPassword(_ url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let afterScheme = url[schemeEnd.upperBound...]
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@") else { return nil }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return nil }
        return String(userInfo[userInfo.index(after: colon)...])
    }
}
