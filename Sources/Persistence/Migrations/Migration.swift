/// One schema version: statements run in order, then recorded in `schema_migrations`.
struct Migration: Sendable {
    var version: Int
    var name: String
    var statements: [String]
}
