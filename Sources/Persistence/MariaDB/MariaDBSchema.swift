/// The MariaDB schema, version by version (kept equivalent to ``SQLiteSchema``). DDL is
/// not transactional in MariaDB, so every statement is safe to run again after a
/// migration failed half-way.
enum MariaDBSchema {
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "catalog, visitor counter, seed marker",
            statements: [
                """
                CREATE TABLE IF NOT EXISTS gifs (
                    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                    title VARCHAR(200) NOT NULL,
                    url VARCHAR(2048) NULL,
                    data LONGBLOB NULL,
                    content_type VARCHAR(100) NULL,
                    sha256 CHAR(64) NULL,
                    size BIGINT NULL,
                    width INT NULL,
                    height INT NULL,
                    created_at BIGINT NOT NULL,
                    CONSTRAINT gifs_title_length CHECK (CHAR_LENGTH(title) BETWEEN 1 AND 200),
                    CONSTRAINT gifs_one_source CHECK ((url IS NULL) <> (data IS NULL))
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
                """,
                """
                CREATE TABLE IF NOT EXISTS visitor_counter (
                    id TINYINT NOT NULL PRIMARY KEY,
                    count BIGINT NOT NULL DEFAULT 0,
                    CONSTRAINT visitor_counter_single_row CHECK (id = 1)
                ) ENGINE=InnoDB
                """,
                "INSERT IGNORE INTO visitor_counter (id, count) VALUES (1, 0)",
                """
                CREATE TABLE IF NOT EXISTS seed_marker (
                    id TINYINT NOT NULL PRIMARY KEY,
                    seeded_at BIGINT NOT NULL,
                    CONSTRAINT seed_marker_single_row CHECK (id = 1)
                ) ENGINE=InnoDB
                """,
            ]),
        Migration(
            version: 2, name: "visitor counter ledger",
            statements: [
                // Binary collation: instance ids compare exactly, as in SQLite.
                """
                CREATE TABLE IF NOT EXISTS visitor_counter_ledger (
                    instance_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
                    last_sequence BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    KEY visitor_counter_ledger_updated_at (updated_at)
                ) ENGINE=InnoDB
                """
            ]),
    ]
}
