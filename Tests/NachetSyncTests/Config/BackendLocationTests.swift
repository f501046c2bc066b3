import Foundation
import Testing

@testable import NachetSync

/// Which backend a `--catalogue` / `NACHET_DB_URL` value selects.
@Suite("backend locations")
struct BackendLocationTests {
    @Test(arguments: [
        "user=x password=y", "service=lab", " port = 5433", "host=db.lab dbname=nachet", "dbname=nachet", "sslmode=require user=x",
        "password=y", "postgresql://db.lab/nachet", "postgres://db.lab/nachet", "PostgreSQL://db.lab/nachet",
    ])
    func anyLibpqStringSelectsPostgreSQL(_ value: String) {
        #expect(CatalogueLocation(parsing: value) == .postgres(connection: value))
    }

    @Test(arguments: [
        ("/var/lib/nachet-sync/catalogue.sqlite", "/var/lib/nachet-sync/catalogue.sqlite"),
        ("catalogue.sqlite", "catalogue.sqlite"),
        ("./run=3.sqlite", "./run=3.sqlite"),
        ("/srv/run=3/catalogue.sqlite", "/srv/run=3/catalogue.sqlite"),
        ("sqlite:run=3.sqlite", "run=3.sqlite"),
    ])
    func aPathOrSqliteURLSelectsSQLite(_ value: String, _ path: String) {
        #expect(CatalogueLocation(parsing: value) == .sqlite(path: path))
    }
}
