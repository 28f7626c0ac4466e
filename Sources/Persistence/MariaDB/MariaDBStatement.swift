import CMariaDB

/// One prepared statement (`MYSQL_STMT`), cached by its connection. Parameters are bound
/// by type (`LONGLONG`, `STRING`, `BLOB` bytes, `NULL`); result columns are read as
/// integers or bytes, with long values fetched again at their full length.
final class MariaDBStatement {
    private struct Column {
        var isInteger: Bool
        var isUnsigned: Bool
        var isBinary: Bool
    }

    private let handle: UnsafeMutablePointer<MYSQL_STMT>
    private let parameterCount: Int
    private let columns: [Column]

    /// Prepares `sql` on `mysql`.
    init(mysql: UnsafeMutablePointer<MYSQL>, sql: String, redact: (String) -> String) throws(DatabaseError) {
        guard let handle = mysql_stmt_init(mysql) else {
            throw DatabaseError(.other, code: Int32(mysql_errno(mysql)), redact(String(cString: mysql_error(mysql))))
        }
        self.handle = handle
        let length = UInt(sql.utf8.count)
        guard mysql_stmt_prepare(handle, sql, length) == 0 else {
            let error = MariaDBStatement.error(handle, redact)
            mysql_stmt_close(handle)
            throw error
        }
        parameterCount = Int(mysql_stmt_param_count(handle))
        var columns: [Column] = []
        if let metadata = mysql_stmt_result_metadata(handle) {
            let count = Int(mysql_num_fields(metadata))
            if let fields = mysql_fetch_fields(metadata) {
                for index in 0..<count {
                    let field = fields[index]
                    columns.append(
                        Column(
                            isInteger: Self.integerTypes.contains(field.type.rawValue),
                            isUnsigned: field.flags & UInt32(UNSIGNED_FLAG) != 0,
                            isBinary: field.charsetnr == 63
                        ))
                }
            }
            mysql_free_result(metadata)
        }
        self.columns = columns
    }

    private static let integerTypes: Set<UInt32> = [
        MYSQL_TYPE_TINY.rawValue, MYSQL_TYPE_SHORT.rawValue, MYSQL_TYPE_LONG.rawValue,
        MYSQL_TYPE_LONGLONG.rawValue, MYSQL_TYPE_INT24.rawValue, MYSQL_TYPE_YEAR.rawValue,
    ]

    func close() {
        mysql_stmt_close(handle)
    }

    var affectedRows: Int64 { Int64(bitPattern: UInt64(mysql_stmt_affected_rows(handle))) }
    var insertID: Int64 { Int64(bitPattern: UInt64(mysql_stmt_insert_id(handle))) }

    /// Binds `parameters` and executes; rows (if any) are then read with ``fetchAll(redact:)``.
    func execute(_ parameters: [SQLValue], redact: (String) -> String) throws(DatabaseError) {
        guard parameters.count == parameterCount else {
            throw DatabaseError(.other, "statement expects \(parameterCount) parameters, got \(parameters.count)")
        }
        let arena = BindArena(count: parameters.count)
        defer { arena.release() }
        for (index, value) in parameters.enumerated() {
            switch value {
            case .null:
                arena.binds[index].buffer_type = MYSQL_TYPE_NULL
            case .integer(let integer):
                arena.binds[index].buffer_type = MYSQL_TYPE_LONGLONG
                arena.binds[index].buffer = arena.store(integer)
            case .text(let text):
                arena.bindBytes(index, Array(text.utf8), type: MYSQL_TYPE_STRING)
            case .blob(let bytes):
                arena.bindBytes(index, bytes, type: MYSQL_TYPE_BLOB)
            }
        }
        if parameterCount > 0, mysql_stmt_bind_param(handle, arena.binds) != 0 {
            throw Self.error(handle, redact)
        }
        guard mysql_stmt_execute(handle) == 0 else { throw Self.error(handle, redact) }
    }

    /// Reads every row of the executed statement (none for statements without a result).
    func fetchAll(redact: (String) -> String) throws(DatabaseError) -> [SQLRow] {
        guard !columns.isEmpty else { return [] }
        defer { mysql_stmt_free_result(handle) }
        let arena = BindArena(count: columns.count)
        defer { arena.release() }
        let initialCapacity = 256
        for (index, column) in columns.enumerated() {
            if column.isInteger {
                arena.binds[index].buffer_type = MYSQL_TYPE_LONGLONG
                arena.binds[index].buffer = arena.store(Int64(0))
                arena.binds[index].is_unsigned = column.isUnsigned ? 1 : 0
            } else {
                arena.binds[index].buffer_type = column.isBinary ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING
                arena.binds[index].buffer = arena.allocate(initialCapacity)
                arena.binds[index].buffer_length = UInt(initialCapacity)
            }
            arena.binds[index].length = arena.lengthPointer(index)
            arena.binds[index].is_null = arena.nullPointer(index)
        }
        guard mysql_stmt_bind_result(handle, arena.binds) == 0 else { throw Self.error(handle, redact) }
        var rows: [SQLRow] = []
        while true {
            let rc = mysql_stmt_fetch(handle)
            if rc == MYSQL_NO_DATA { return rows }
            guard rc == 0 || rc == MYSQL_DATA_TRUNCATED else { throw Self.error(handle, redact) }
            var values: [SQLValue] = []
            values.reserveCapacity(columns.count)
            for (index, column) in columns.enumerated() {
                values.append(try value(of: column, at: index, arena: arena, redact: redact))
            }
            rows.append(SQLRow(values))
        }
    }

    private func value(of column: Column, at index: Int, arena: BindArena, redact: (String) -> String) throws(DatabaseError) -> SQLValue {
        if arena.nullPointer(index).pointee != 0 { return .null }
        if column.isInteger {
            return .integer(arena.binds[index].buffer.load(as: Int64.self))
        }
        let length = Int(arena.lengthPointer(index).pointee)
        var bytes: [UInt8]
        if length <= Int(arena.binds[index].buffer_length) {
            bytes = Array(UnsafeRawBufferPointer(start: arena.binds[index].buffer, count: length))
        } else {
            // Longer than the first buffer (a GIF's bytes): fetch the column again in full.
            bytes = [UInt8](repeating: 0, count: length)
            var full = MYSQL_BIND()
            var fullLength: UInt = 0
            let rc = bytes.withUnsafeMutableBytes { buffer -> Int32 in
                full.buffer_type = arena.binds[index].buffer_type
                full.buffer = buffer.baseAddress
                full.buffer_length = UInt(length)
                return withUnsafeMutablePointer(to: &fullLength) { lengthPointer in
                    full.length = lengthPointer
                    return mysql_stmt_fetch_column(handle, &full, UInt32(index), 0)
                }
            }
            guard rc == 0 else { throw Self.error(handle, redact) }
        }
        return column.isBinary ? .blob(bytes) : .text(String(decoding: bytes, as: UTF8.self))
    }

    private static func error(_ handle: UnsafeMutablePointer<MYSQL_STMT>, _ redact: (String) -> String) -> DatabaseError {
        let code = mysql_stmt_errno(handle)
        return DatabaseError(
            MariaDBErrorCode.kind(of: code), code: Int32(code),
            "mariadb: \(redact(String(cString: mysql_stmt_error(handle))))")
    }
}

/// The `MYSQL_BIND` array of one execute or fetch and the memory it points to, freed
/// together after the call.
private final class BindArena {
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<my_bool>
    private var allocations: [UnsafeMutableRawPointer] = []
    private let count: Int

    init(count: Int) {
        self.count = max(count, 1)
        binds = .allocate(capacity: self.count)
        binds.initialize(repeating: MYSQL_BIND(), count: self.count)
        lengths = .allocate(capacity: self.count)
        lengths.initialize(repeating: 0, count: self.count)
        nulls = .allocate(capacity: self.count)
        nulls.initialize(repeating: 0, count: self.count)
    }

    func lengthPointer(_ index: Int) -> UnsafeMutablePointer<UInt> { lengths + index }
    func nullPointer(_ index: Int) -> UnsafeMutablePointer<my_bool> { nulls + index }

    func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 8)
        allocations.append(memory)
        return memory
    }

    func store(_ integer: Int64) -> UnsafeMutableRawPointer {
        let memory = allocate(8)
        memory.storeBytes(of: integer, as: Int64.self)
        return memory
    }

    func bindBytes(_ index: Int, _ bytes: [UInt8], type: enum_field_types) {
        let memory = allocate(bytes.count)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { memory.copyMemory(from: base, byteCount: source.count) }
        }
        lengths[index] = UInt(bytes.count)
        binds[index].buffer_type = type
        binds[index].buffer = memory
        binds[index].buffer_length = UInt(bytes.count)
        binds[index].length = lengthPointer(index)
    }

    func release() {
        for memory in allocations { memory.deallocate() }
        allocations.removeAll()
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
    }
}
