/// The SQLite schema, version by version (kept equivalent to ``MariaDBSchema``).
enum SQLiteSchema {
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "catalog, visitor counter, seed marker",
            statements: [
                """
                CREATE TABLE gifs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
                    url TEXT CHECK (url IS NULL OR length(url) <= 2048),
                    data BLOB,
                    content_type TEXT,
                    sha256 TEXT,
                    size INTEGER,
                    width INTEGER,
                    height INTEGER,
                    created_at INTEGER NOT NULL,
                    CHECK ((url IS NULL) <> (data IS NULL))
                )
                """,
                """
                CREATE TABLE visitor_counter (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    count INTEGER NOT NULL DEFAULT 0
                )
                """,
                "INSERT INTO visitor_counter (id, count) VALUES (1, 0)",
                """
                CREATE TABLE seed_marker (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    seeded_at INTEGER NOT NULL
                )
                """,
            ]),
        Migration(
            version: 2, name: "visitor counter ledger",
            statements: [
                """
                CREATE TABLE visitor_counter_ledger (
                    instance_id VARCHAR(64) NOT NULL PRIMARY KEY CHECK (length(instance_id) BETWEEN 1 AND 64),
                    last_sequence BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX visitor_counter_ledger_updated_at ON visitor_counter_ledger (updated_at)",
            ]),
    ]
}
