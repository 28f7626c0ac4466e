import CSQLite
import EventLoop
import Glibc

/// One SQLite connection (`sqlite3*`), used only on its database thread. Statements are
/// prepared once and cached (the code has a fixed set of SQL texts).
final class SQLiteConnection: SQLConnection {
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    private var isClosed = false

    /// Opens (creating if needed) the database file in WAL mode with a busy timeout and
    /// foreign keys on.
    static func open(path: String, busyTimeout: Duration) throws(DatabaseError) -> SQLiteConnection {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw DatabaseError(.connect, code: rc, "cannot open SQLite database \(path): \(message)")
        }
        let connection = SQLiteConnection(handle: handle)
        do {
            let milliseconds = Int32(clamping: busyTimeout.nanosecondsClamped / 1_000_000)
            sqlite3_busy_timeout(handle, milliseconds)
            try connection.enableWAL(busyTimeout: busyTimeout)
            try connection.execute("PRAGMA foreign_keys = ON")
            // WAL + NORMAL: a committed transaction survives a process crash; only a power
            // loss may lose the last ones.
            try connection.execute("PRAGMA synchronous = NORMAL")
        } catch {
            connection.close()
            throw DatabaseError(.connect, code: error.code, "cannot set up SQLite database \(path): \(error.message)")
        }
        return connection
    }

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        close()
    }

    /// Switches to WAL (persistent in the file). Another connection switching at the same
    /// moment can make this report busy without the busy handler: retry for a while.
    private func enableWAL(busyTimeout: Duration) throws(DatabaseError) {
        let clock = ContinuousClock()
        let deadline = clock.now + busyTimeout
        while true {
            do throws(DatabaseError) {
                let mode = try query("PRAGMA journal_mode = WAL", []).first?.text(0)
                guard mode?.lowercased() == "wal" else {
                    throw DatabaseError(.other, "journal_mode is \(mode ?? "unknown"), not wal")
                }
                return
            } catch let error where error.kind == .busy && clock.now < deadline {
                usleep(10_000)
            }
        }
    }

    func execute(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> SQLExecution {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        try bind(parameters, to: statement)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            if rc != SQLITE_ROW { throw error(rc) }
        }
        return SQLExecution(affectedRows: sqlite3_changes64(handle), lastInsertID: sqlite3_last_insert_rowid(handle))
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> [SQLRow] {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        try bind(parameters, to: statement)
        var rows: [SQLRow] = []
        let columns = sqlite3_column_count(statement)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return rows }
            guard rc == SQLITE_ROW else { throw error(rc) }
            rows.append(SQLRow((0..<columns).map { column(statement, $0) }))
        }
    }

    func ping() throws(DatabaseError) {
        _ = try query("SELECT 1", [])
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        for statement in statements.values {
            sqlite3_finalize(statement)
        }
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    func tableExists(_ name: String) throws(DatabaseError) -> Bool {
        try !query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(name)]).isEmpty
    }

    // MARK: - Dialect

    let beginWriteSQL = "BEGIN IMMEDIATE"
    let beginMigrationSQL = "BEGIN EXCLUSIVE"
    let insertSeedMarkerSQL = "INSERT OR IGNORE INTO seed_marker (id, seeded_at) VALUES (1, ?)"
    let lockingReadSuffix = ""
    var migrations: [Migration] { SQLiteSchema.migrations }

    /// SQLite's exclusive migration transaction is the lock between processes.
    func withMigrationLock<T>(_ body: () throws(DatabaseError) -> T) throws(DatabaseError) -> T {
        try body()
    }

    // MARK: - Statements

    private func prepared(_ sql: String) throws(DatabaseError) -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc) }
        statements[sql] = statement
        return statement
    }

    private func bind(_ parameters: [SQLValue], to statement: OpaquePointer) throws(DatabaseError) {
        sqlite3_clear_bindings(statement)
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null:
                rc = sqlite3_bind_null(statement, index)
            case .integer(let integer):
                rc = sqlite3_bind_int64(statement, index, integer)
            case .text(let text):
                // withCString passes the exact UTF-8 length, so embedded NULs are kept.
                let length = UInt64(text.utf8.count)
                rc = text.withCString { pointer in
                    sqlite3_bind_text64(statement, index, pointer, length, SQLiteConnection.transient, UInt8(SQLITE_UTF8))
                }
            case .blob(let bytes):
                rc = bytes.withUnsafeBytes { buffer in
                    guard let base = buffer.baseAddress, !buffer.isEmpty else {
                        return sqlite3_bind_zeroblob(statement, index, 0)
                    }
                    return sqlite3_bind_blob64(statement, index, base, UInt64(buffer.count), SQLiteConnection.transient)
                }
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
    }

    private func column(_ statement: OpaquePointer, _ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL:
            return .null
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let base = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: base, count: count)))
        default:
            guard let text = sqlite3_column_text(statement, index) else { return .text("") }
            let count = Int(sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        }
    }

    /// `SQLITE_TRANSIENT`: SQLite copies bound bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func error(_ rc: Int32) -> DatabaseError {
        let message = String(cString: sqlite3_errmsg(handle))
        let kind: DatabaseError.Kind =
            switch rc & 0xff {
            case SQLITE_BUSY, SQLITE_LOCKED: .busy
            case SQLITE_CONSTRAINT: .constraint
            case SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_CANTOPEN, SQLITE_FULL, SQLITE_READONLY: .broken
            default: .other
            }
        return DatabaseError(kind, code: rc, "sqlite: \(message)")
    }
}
