import CMariaDB

/// One MariaDB Connector/C connection (`MYSQL*`), used only on its database thread.
/// Statements with parameters, and every query, are prepared once and cached;
/// parameterless commands (transactions, DDL) use the text protocol.
final class MariaDBConnection: SQLConnection {
    private let mysql: UnsafeMutablePointer<MYSQL>
    private let password: DatabasePassword
    /// How long one `GET_LOCK` call waits for another replica's migration: less than the
    /// read timeout (the wait is one long read), at most 30 s; calls repeat until
    /// ``migrationLockTotalSeconds`` have passed.
    let migrationLockSeconds: Int64
    /// How long a start-up waits in all for another replica's migration.
    static let migrationLockTotalSeconds: Int64 = 30
    private var statements: [String: MariaDBStatement] = [:]
    private var isClosed = false

    /// `mysql_library_init` is a macro Swift cannot call; its function runs once per process.
    private static let libraryInitialized: Bool = mysql_server_init(0, nil, nil) == 0

    /// Connects with the settings' timeouts, utf8mb4, strict SQL mode and TLS mode.
    static func open(_ settings: MariaDBConnector) throws(DatabaseError) -> MariaDBConnection {
        guard libraryInitialized else { throw DatabaseError(.connect, "mysql_server_init failed") }
        guard let mysql = mysql_init(nil) else { throw DatabaseError(.connect, "mysql_init: out of memory") }
        let url = settings.url
        setOption(mysql, MYSQL_OPT_CONNECT_TIMEOUT, seconds: settings.timeouts.connect)
        setOption(mysql, MYSQL_OPT_READ_TIMEOUT, seconds: settings.timeouts.read)
        setOption(mysql, MYSQL_OPT_WRITE_TIMEOUT, seconds: settings.timeouts.write)
        mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        mysql_options(mysql, MYSQL_INIT_COMMAND, "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'")
        var off: my_bool = 0
        mysql_options(mysql, MYSQL_OPT_LOCAL_INFILE, &off)
        configureTLS(mysql, url)

        let password = settings.password
        let connected = mysql_real_connect(
            mysql, url.host, url.user, password.isEmpty ? nil : password.value, url.database,
            UInt32(url.port), url.socket, 0
        )
        guard connected != nil else {
            let code = mysql_errno(mysql)
            let message = password.redact(String(cString: mysql_error(mysql)))
            mysql_close(mysql)
            throw DatabaseError(.connect, code: Int32(code), "cannot connect to \(url): \(message)")
        }
        // Connector/C 3.3 refuses a server without TLS only when verifying its certificate;
        // check what was negotiated for every mode that requires TLS.
        if url.tls != .disabled, url.tls != .preferred, mysql_get_ssl_cipher(mysql) == nil {
            mysql_close(mysql)
            throw DatabaseError(.connect, "cannot connect to \(url): TLS is required but the server did not negotiate it")
        }
        return MariaDBConnection(mysql: mysql, password: password, migrationLockSeconds: migrationLockSeconds(read: settings.timeouts.read))
    }

    /// One `GET_LOCK` wait: a second less than the read timeout (at least 1 s: a read
    /// timeout of 1 s would race it, so `--db-read-timeout` is at least 2 s), at most 30 s.
    static func migrationLockSeconds(read: Duration) -> Int64 {
        min(migrationLockTotalSeconds, max(1, Int64(wholeSeconds(read)) - 1))
    }

    /// Connector/C takes whole seconds; sub-second parts round up, and 0 would mean "no
    /// timeout", so at least 1.
    static func wholeSeconds(_ duration: Duration) -> UInt32 {
        let (seconds, attoseconds) = duration.components
        return UInt32(clamping: max(1, attoseconds > 0 ? seconds + 1 : seconds))
    }

    private static func setOption(_ mysql: UnsafeMutablePointer<MYSQL>, _ option: mysql_option, seconds: Duration) {
        var value = wholeSeconds(seconds)
        mysql_options(mysql, option, &value)
    }

    /// The CA store the verifying modes use when the URL names no `tls-ca`.
    static let systemCAPath = "/etc/ssl/certs"

    /// What Connector/C 3.3 (OpenSSL) does with these options (`libmariadb/secure/openssl.c`,
    /// `ma_pvio.c`): a CA file or path makes the handshake verify the certificate chain
    /// (`SSL_VERIFY_PEER`, then `SSL_get_verify_result`); without one nothing is verified.
    /// The host name is checked (`X509_check_host`/`X509_check_ip_asc` against the host
    /// connected to) only with `MYSQL_OPT_SSL_VERIFY_SERVER_CERT` AND a CA file or path.
    /// So: `required` and `preferred` pass no CA; `verify-ca` passes one without the host
    /// check; `verify-identity` passes one with it (the system store when no `tls-ca`).
    private static func configureTLS(_ mysql: UnsafeMutablePointer<MYSQL>, _ url: DatabaseURL) {
        guard url.tls != .disabled else { return }
        let verifies = url.tls.verifiesCertificate
        let caFile = verifies ? url.tlsCA : nil
        let caPath = verifies && url.tlsCA == nil ? systemCAPath : nil
        // Any mysql_ssl_set call makes the client ask for TLS when the server offers it.
        mysql_ssl_set(mysql, nil, nil, caFile, caPath, nil)
        var enforce: my_bool = url.tls == .preferred ? 0 : 1
        mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &enforce)
        var checkHost: my_bool = url.tls == .verifyIdentity ? 1 : 0
        mysql_options(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &checkHost)
    }

    private init(mysql: UnsafeMutablePointer<MYSQL>, password: DatabasePassword, migrationLockSeconds: Int64) {
        self.mysql = mysql
        self.password = password
        self.migrationLockSeconds = migrationLockSeconds
    }

    deinit {
        close()
    }

    func execute(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> SQLExecution {
        if parameters.isEmpty {
            guard mysql_real_query(mysql, sql, UInt(sql.utf8.count)) == 0 else { throw lastError() }
            // Discard a result set, if the command produced one.
            if let result = mysql_store_result(mysql) { mysql_free_result(result) }
            return SQLExecution(
                affectedRows: Int64(bitPattern: UInt64(mysql_affected_rows(mysql))),
                lastInsertID: Int64(bitPattern: UInt64(mysql_insert_id(mysql))))
        }
        let statement = try prepared(sql)
        try statement.execute(parameters, redact: password.redact)
        let execution = SQLExecution(affectedRows: statement.affectedRows, lastInsertID: statement.insertID)
        _ = try statement.fetchAll(redact: password.redact)
        return execution
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> [SQLRow] {
        let statement = try prepared(sql)
        try statement.execute(parameters, redact: password.redact)
        return try statement.fetchAll(redact: password.redact)
    }

    func ping() throws(DatabaseError) {
        guard mysql_ping(mysql) == 0 else {
            var error = lastError()
            error.kind = .broken
            throw error
        }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        for statement in statements.values {
            statement.close()
        }
        statements.removeAll()
        mysql_close(mysql)
    }

    func tableExists(_ name: String) throws(DatabaseError) -> Bool {
        try !query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
            [.text(name)]
        ).isEmpty
    }

    // MARK: - Dialect

    let beginWriteSQL = "START TRANSACTION"
    let beginMigrationSQL = "START TRANSACTION"
    let insertSeedMarkerSQL = "INSERT IGNORE INTO seed_marker (id, seeded_at) VALUES (1, ?)"
    let lockingReadSuffix = " FOR UPDATE"
    var migrations: [Migration] { MariaDBSchema.migrations }

    /// `GET_LOCK` on a name per database, held by this connection while `body` runs, so
    /// replicas starting together migrate one after the other. Each wait is shorter than
    /// the read timeout; they repeat for up to ``migrationLockTotalSeconds``.
    func withMigrationLock<T>(_ body: () throws(DatabaseError) -> T) throws(DatabaseError) -> T {
        let name = "LEFT(CONCAT('barkd_migrate:', DATABASE()), 64)"
        var waited: Int64 = 0
        while true {
            let wait = min(migrationLockSeconds, Self.migrationLockTotalSeconds - waited)
            let locked = try query("SELECT GET_LOCK(\(name), ?)", [.integer(wait)]).first?.integer(0)
            if locked == 1 { break }
            waited += wait
            guard waited < Self.migrationLockTotalSeconds else {
                throw DatabaseError(.migration, "timed out after \(waited) s waiting for another barkd's migration lock")
            }
        }
        defer { _ = try? query("SELECT RELEASE_LOCK(\(name))", []) }
        return try body()
    }

    // MARK: - Statements

    private func prepared(_ sql: String) throws(DatabaseError) -> MariaDBStatement {
        if let statement = statements[sql] { return statement }
        let statement = try MariaDBStatement(mysql: mysql, sql: sql, redact: password.redact)
        statements[sql] = statement
        return statement
    }

    private func lastError() -> DatabaseError {
        let code = mysql_errno(mysql)
        return DatabaseError(
            MariaDBErrorCode.kind(of: code), code: Int32(code),
            "mariadb: \(password.redact(String(cString: mysql_error(mysql))))")
    }
}
