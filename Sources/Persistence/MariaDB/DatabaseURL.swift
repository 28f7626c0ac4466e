import Observability

/// A MariaDB/MySQL location: `mariadb://user@host:port/database?tls=verify-identity`
/// (`mysql://` is the same). The password normally comes separately
/// (`BARKD_DB_PASSWORD_FILE` / `BARKD_DB_PASSWORD`); `user:password@` is accepted but the
/// password is kept as a ``DatabasePassword`` and never printed: `description` and
/// reflection show the URL without it.
///
/// Query options: `tls=disabled|preferred|required|verify-ca|verify-identity` (default
/// `disabled`; `verify` is an alias of `verify-identity`, and MySQL's `VERIFY_CA`
/// spellings are accepted), `tls-ca=/path/ca.pem` (only with the verifying modes),
/// `socket=/path/mysqld.sock`.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// How the connection uses TLS (the names of MySQL clients' `--ssl-mode`).
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        /// Plain TCP.
        case disabled
        /// TLS when the server offers it; the certificate is not verified.
        case preferred
        /// TLS or no connection; the certificate is NOT verified (encryption against a
        /// passive listener only, no protection from an active man in the middle).
        case required
        /// TLS or no connection, the server's certificate chain verified against
        /// `tls-ca` (else the system's CA store, `/etc/ssl/certs`); its host name is not
        /// checked.
        case verifyCA = "verify-ca"
        /// As ``verifyCA``, and the certificate must name the host barkd connects to
        /// (a DNS name or IP address in its subjectAltName, or its CN).
        case verifyIdentity = "verify-identity"

        /// Parses a mode name: also `verify` (= `verify-identity`), any case, `_` for `-`.
        public init?(name: String) {
            let normalized = String(name.lowercased().map { $0 == "_" ? "-" : $0 })
            if normalized == "verify" {
                self = .verifyIdentity
                return
            }
            self.init(rawValue: normalized)
        }

        /// Whether the server's certificate is verified (chain, and for
        /// ``verifyIdentity`` the host name).
        public var verifiesCertificate: Bool { self == .verifyCA || self == .verifyIdentity }
    }

    /// `mariadb` or `mysql`.
    public var scheme: String
    /// The database user.
    public var user: String
    /// The password given in the URL, if any (prefer passing it separately).
    public var password: DatabasePassword?
    /// Host name or IP address (IPv6 without brackets). `localhost` means the Unix socket,
    /// as with every MySQL client.
    public var host: String
    /// TCP port (default 3306).
    public var port: Int
    /// The database (schema) name.
    public var database: String
    /// Whether and how the connection uses TLS.
    public var tls: TLSMode
    /// The CA bundle (PEM) `tls=verify-ca` and `verify-identity` verify against.
    public var tlsCA: String?
    /// A Unix socket path instead of TCP.
    public var socket: String?

    /// A URL from its parts.
    public init(
        scheme: String = "mariadb", user: String, password: DatabasePassword? = nil, host: String,
        port: Int = 3306, database: String, tls: TLSMode = .disabled, tlsCA: String? = nil, socket: String? = nil
    ) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.tls = tls
        self.tlsCA = tlsCA
        self.socket = socket
    }

    /// The URL without its password; it parses back to the same location (a `/` in the
    /// user is escaped: found by the DatabaseURL fuzzer, Fuzz/README.md).
    public var description: String {
        let bracketedHost = host.contains(":") ? "[\(host)]" : host
        var text = "\(scheme)://\(PercentEncoding.encode(user, escapingSlash: true))@\(bracketedHost):\(port)/\(PercentEncoding.encode(database))"
        var options: [String] = []
        if tls != .disabled { options.append("tls=\(tls.rawValue)") }
        if let tlsCA { options.append("tls-ca=\(PercentEncoding.encode(tlsCA))") }
        if let socket { options.append("socket=\(PercentEncoding.encode(socket))") }
        if !options.isEmpty { text += "?" + options.joined(separator: "&") }
        return text
    }

    /// Reflection shows only ``description`` (no password).
    public var customMirror: Mirror {
        Mirror(self, children: ["url": description], displayStyle: .struct)
    }
}

/// Why a `--database` URL was refused. The message never repeats the URL (it may hold a
/// password).
public struct DatabaseURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, without the URL itself.
    public var reason: String
    /// `invalid database URL: <reason>`.
    public var description: String { "invalid database URL: \(reason)" }
}

extension DatabaseURL {
    /// Parses `mariadb://user[:password]@host[:port]/database[?options]` (or `mysql://`).
    public init(parsing text: String) throws(DatabaseURLError) {
        func fail(_ reason: String) -> DatabaseURLError { DatabaseURLError(reason: reason) }
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw fail("expected mariadb://user@host:port/database")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "mariadb" || scheme == "mysql" else {
            throw fail("unsupported scheme (use mariadb:// or mysql://)")
        }
        var rest = text[schemeEnd.upperBound...]
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw fail("missing /database") }
        let authority = rest[..<slash]
        let databaseText = rest[rest.index(after: slash)...]
        guard let database = PercentEncoding.decode(databaseText), !database.isEmpty, !database.contains("/") else {
            throw fail("missing or invalid database name")
        }

        var user = ""
        var password: DatabasePassword?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                guard let decodedUser = PercentEncoding.decode(userInfo[..<colon]),
                    let decodedPassword = PercentEncoding.decode(userInfo[userInfo.index(after: colon)...])
                else { throw fail("invalid percent-encoding in the user or password") }
                user = decodedUser
                password = DatabasePassword(decodedPassword)
            } else {
                guard let decodedUser = PercentEncoding.decode(userInfo) else {
                    throw fail("invalid percent-encoding in the user")
                }
                user = decodedUser
            }
        }
        guard !user.isEmpty else { throw fail("missing user (mariadb://user@host/database)") }

        let (host, port) = try Self.parseHostPort(hostPort)
        self.init(scheme: scheme, user: user, password: password, host: host, port: port, database: database)
        try applyOptions(query)
    }

    private static func parseHostPort(_ text: Substring) throws(DatabaseURLError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw DatabaseURLError(reason: "unterminated [IPv6] host") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw DatabaseURLError(reason: "unexpected text after the [IPv6] host")
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else { throw DatabaseURLError(reason: "missing host") }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || ".-_:%".contains($0) }) else {
            throw DatabaseURLError(reason: "invalid host")
        }
        var port = 3306
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw DatabaseURLError(reason: "invalid port (1-65535)")
            }
            port = value
        }
        return (String(host), port)
    }

    private mutating func applyOptions(_ query: Substring) throws(DatabaseURLError) {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            guard parts.count == 2, let value = PercentEncoding.decode(parts[1]) else {
                throw DatabaseURLError(reason: "option \(key) needs a value")
            }
            switch key {
            case "tls", "ssl", "ssl-mode", "sslmode":
                guard let mode = TLSMode(name: value) else {
                    throw DatabaseURLError(
                        reason: "tls must be one of disabled, preferred, required, verify-ca, verify-identity (verify = verify-identity)")
                }
                tls = mode
            case "tls-ca", "ssl-ca":
                tlsCA = value
            case "socket":
                socket = value
            default:
                throw DatabaseURLError(reason: "unknown option \(key) (known: tls, tls-ca, socket)")
            }
        }
        if tlsCA != nil, !tls.verifiesCertificate {
            throw DatabaseURLError(
                reason: "tls-ca needs tls=verify-ca or tls=verify-identity (tls=\(tls.rawValue) does not verify the certificate)")
        }
    }
}
