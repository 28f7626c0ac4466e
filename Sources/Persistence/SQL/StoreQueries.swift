import CLinuxShim

/// The ``Store`` operations as blocking calls on one connection, written once for both
/// dialects. They run on the connection's database thread (inside the pool).
enum StoreQueries {
    static let summaryColumns = "id, title, url, content_type, sha256, size, width, height, created_at"

    static func allGifs(_ connection: some SQLConnection) throws(DatabaseError) -> [GifSummary] {
        try connection.query("SELECT \(summaryColumns) FROM gifs ORDER BY id", []).map(summary)
    }

    static func listGifs(_ connection: some SQLConnection, after: Int64?, limit: Int) throws(DatabaseError) -> [GifSummary] {
        guard limit > 0 else { return [] }
        return try connection.query(
            "SELECT \(summaryColumns) FROM gifs WHERE id > ? ORDER BY id LIMIT ?",
            [.integer(after ?? 0), .integer(Int64(limit))]
        ).map(summary)
    }

    static func gif(_ connection: some SQLConnection, id: Int64) throws(DatabaseError) -> GifRecord? {
        let rows = try connection.query("SELECT \(summaryColumns), data FROM gifs WHERE id = ?", [.integer(id)])
        guard let row = rows.first else { return nil }
        let summary = try summary(row)
        let bytes: [UInt8]? = if case .stored = summary.source { row.bytes(9) ?? [] } else { nil }
        return GifRecord(summary: summary, bytes: bytes)
    }

    static func addGif(_ connection: some SQLConnection, _ gif: NewGif) throws(DatabaseError) -> GifSummary {
        let createdAt = barkd_realtime_seconds()
        let source: GifSource
        let parameters: [SQLValue]
        switch gif.content {
        case .external(let url):
            source = .external(url: url)
            parameters = [.text(gif.title), .text(url), .null, .null, .null, .null]
        case .bytes(let bytes, let contentType):
            let digest = SHA256.hexDigest(of: bytes)
            source = .stored(contentType: contentType, sha256: digest, size: bytes.count)
            parameters = [.text(gif.title), .null, .blob(bytes), .text(contentType), .text(digest), .integer(Int64(bytes.count))]
        }
        let execution = try connection.execute(
            """
            INSERT INTO gifs (title, url, data, content_type, sha256, size, width, height, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            parameters + [SQLValue(gif.width), SQLValue(gif.height), .integer(createdAt)]
        )
        return GifSummary(
            id: execution.lastInsertID, title: gif.title, source: source,
            width: gif.width, height: gif.height, createdAt: createdAt)
    }

    static func deleteGif(_ connection: some SQLConnection, id: Int64) throws(DatabaseError) -> Bool {
        try connection.execute("DELETE FROM gifs WHERE id = ?", [.integer(id)]).affectedRows > 0
    }

    static func seedIfNeverSeeded(_ connection: some SQLConnection, _ gifs: [NewGif]) throws(DatabaseError) -> Int {
        try connection.transaction(connection.beginWriteSQL) { () throws(DatabaseError) -> Int in
            let marker = try connection.execute(connection.insertSeedMarkerSQL, [.integer(barkd_realtime_seconds())])
            guard marker.affectedRows == 1 else { return 0 }
            for gif in gifs {
                _ = try addGif(connection, gif)
            }
            return gifs.count
        }
    }

    /// ``Store/applyVisits(_:)``: the counter row is locked first (every batch writes it,
    /// so batches of all instances queue on it and never deadlock on the ledger's gaps),
    /// then the instance's ledger row; both reads are locking reads and see the newest
    /// committed values.
    static func applyVisits(_ connection: some SQLConnection, _ batch: VisitBatch, now: Int64) throws(DatabaseError) -> VisitWrite {
        if let reason = batch.invalidReason { throw DatabaseError(.constraint, reason) }
        return try connection.transaction(connection.beginWriteSQL) { () throws(DatabaseError) -> VisitWrite in
            let lock = connection.lockingReadSuffix
            guard let counter = try connection.query("SELECT count FROM visitor_counter WHERE id = 1\(lock)", []).first else {
                throw DatabaseError(.other, "the visitor_counter row is missing")
            }
            let stored = try counter.requiredInteger(0)
            let ledger = try connection.query(
                "SELECT last_sequence FROM visitor_counter_ledger WHERE instance_id = ?\(lock)", [.text(batch.instance)])
            if let last = try ledger.first?.integer(0), last >= batch.sequence {
                return VisitWrite(total: stored, appliedNow: false)
            }
            let (total, overflow) = stored.addingReportingOverflow(batch.delta)
            guard !overflow else { throw DatabaseError(.constraint, "the visitor count would overflow") }
            let parameters: [SQLValue] = [.integer(batch.sequence), .integer(now), .text(batch.instance)]
            if ledger.isEmpty {
                try connection.execute(
                    "INSERT INTO visitor_counter_ledger (last_sequence, updated_at, instance_id) VALUES (?, ?, ?)", parameters)
            } else {
                try connection.execute(
                    "UPDATE visitor_counter_ledger SET last_sequence = ?, updated_at = ? WHERE instance_id = ?", parameters)
            }
            let updated = try connection.execute("UPDATE visitor_counter SET count = ? WHERE id = 1", [.integer(total)])
            guard updated.affectedRows == 1 else { throw DatabaseError(.other, "the visitor_counter row is missing") }
            return VisitWrite(total: total, appliedNow: true)
        }
    }

    /// ``Store/pruneVisitLedger(before:)`` (a range on the `updated_at` index).
    static func pruneVisitLedger(_ connection: some SQLConnection, before cutoff: Int64) throws(DatabaseError) -> Int {
        Int(try connection.execute("DELETE FROM visitor_counter_ledger WHERE updated_at < ?", [.integer(cutoff)]).affectedRows)
    }

    static func visitorCount(_ connection: some SQLConnection) throws(DatabaseError) -> Int64 {
        let rows = try connection.query("SELECT count FROM visitor_counter WHERE id = 1", [])
        guard let row = rows.first else { throw DatabaseError(.other, "the visitor_counter row is missing") }
        return try row.requiredInteger(0)
    }

    private static func summary(_ row: SQLRow) throws(DatabaseError) -> GifSummary {
        let source: GifSource
        if let url = row.text(2) {
            source = .external(url: url)
        } else {
            source = .stored(
                contentType: row.text(3) ?? "application/octet-stream",
                sha256: row.text(4) ?? "",
                size: Int(try row.integer(5) ?? 0))
        }
        return GifSummary(
            id: try row.requiredInteger(0),
            title: row.text(1) ?? "",
            source: source,
            width: try row.integer(6).map { Int($0) },
            height: try row.integer(7).map { Int($0) },
            createdAt: try row.requiredInteger(8)
        )
    }
}
