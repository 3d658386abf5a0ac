import AegisPostgres
import AegisStore
import Foundation

/// A database of its own for one test, made on the server `AEGIS_TEST_DATABASE_URL` names and
/// dropped when the test ends.
public enum TestDatabase {
    /// The server to make databases on; a missing variable fails the test rather than skipping it.
    public static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["AEGIS_TEST_DATABASE_URL"], !url.isEmpty else {
            throw SetupError(
                "AEGIS_TEST_DATABASE_URL is not set; point it at a PostgreSQL database whose role may CREATE DATABASE")
        }
        return url
    }

    /// Runs `body` with the URL of a new, uniquely named database, migrated unless told otherwise.
    public static func with<T>(migrated: Bool = true, _ body: (String) throws -> T) throws -> T {
        let server = try serverURL()
        let name = "aegis_test_\(UUIDSuffix.make())"
        let admin = try PostgresConnection(url: server)
        let quoted = try admin.quotedIdentifier(name)
        try admin.execute("CREATE DATABASE \(quoted)")
        defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)") }

        let url = try replacingDatabase(in: server, with: name)
        if migrated { try Store(url: url).migrate() }
        return try body(url)
    }

    /// The same server and credentials, another database.
    public static func replacingDatabase(in url: String, with name: String) throws -> String {
        guard url.contains("://") else { return url + " dbname=\(name)" }
        guard var components = URLComponents(string: url) else { throw SetupError("cannot parse the test URL") }
        components.path = "/\(name)"
        guard let replaced = components.string else { throw SetupError("cannot rebuild the test URL") }
        return replaced
    }
}

/// A short random suffix for database and object names, unique per test.
public enum UUIDSuffix {
    public static func make() -> String {
        String(UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(16))
    }
}

public struct SetupError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
