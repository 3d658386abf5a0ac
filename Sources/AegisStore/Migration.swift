import Foundation

/// One versioned SQL file from `Migrations/`, named `<version>_<description>.sql`.
public struct Migration: Sendable, Equatable {
    public var version: Int
    /// The file name without its extension, such as `0001_initial_schema`.
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The migrations shipped in this module's resources, in version order.
    ///
    /// The `aegis_AegisStore.resources` directory must sit next to the executable (SwiftPM puts it
    /// there; an installed binary needs it copied alongside).
    /// - Throws: ``StoreError`` (`.migrationFailed`) when the files cannot be read, a name has no
    ///   version, or two files share one.
    public static func bundled() throws(StoreError) -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw StoreError(.migrationFailed, "the Migrations directory is missing from the resource bundle")
        }
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        } catch {
            throw StoreError(.migrationFailed, "cannot list \(directory.path): \(error.localizedDescription)")
        }

        var migrations: [Migration] = []
        for file in files where file.pathExtension == "sql" {
            migrations.append(try load(file))
        }
        migrations.sort { $0.version < $1.version }
        for (earlier, later) in zip(migrations, migrations.dropFirst()) where earlier.version == later.version {
            throw StoreError(.migrationFailed, "\(earlier.name) and \(later.name) share version \(earlier.version)")
        }
        return migrations
    }

    private static func load(_ file: URL) throws(StoreError) -> Migration {
        let name = file.deletingPathExtension().lastPathComponent
        guard let version = Int(name.prefix { $0.isASCII && $0.isNumber }), version > 0 else {
            throw StoreError(.migrationFailed, "\(file.lastPathComponent) does not start with a version number")
        }
        do {
            return Migration(version: version, name: name, sql: try String(contentsOf: file, encoding: .utf8))
        } catch {
            throw StoreError(.migrationFailed, "cannot read \(file.lastPathComponent): \(error.localizedDescription)")
        }
    }
}
