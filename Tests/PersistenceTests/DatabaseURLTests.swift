import Testing

@testable import Persistence

@Suite("Database URL")
struct DatabaseURLTests {
    @Test func parsesTheUsualForms() throws {
        let url = try DatabaseURL(parsing: "mariadb://barkd@db.example.com:3307/barkd")
        #expect(url == DatabaseURL(user: "barkd", host: "db.example.com", port: 3307, database: "barkd"))
        #expect(url.description == "mariadb://barkd@db.example.com:3307/barkd")

        let mysql = try DatabaseURL(parsing: "mysql://app@10.0.0.5/gifs")
        #expect(mysql.scheme == "mysql" && mysql.port == 3306 && mysql.host == "10.0.0.5" && mysql.database == "gifs")

        let ipv6 = try DatabaseURL(parsing: "MariaDB://u@[::1]:4000/d")
        #expect(ipv6.host == "::1" && ipv6.port == 4000 && ipv6.scheme == "mariadb")
        #expect(ipv6.description == "mariadb://u@[::1]:4000/d")
    }

    @Test func parsesOptions() throws {
        let url = try DatabaseURL(parsing: "mariadb://barkd@db:3306/barkd?tls=verify-ca&tls-ca=%2Fetc%2Fca.pem&socket=/run/m.sock")
        #expect(url.tls == .verifyCA)
        #expect(url.tlsCA == "/etc/ca.pem")
        #expect(url.socket == "/run/m.sock")
        #expect(try DatabaseURL(parsing: url.description) == url)
        for mode in DatabaseURL.TLSMode.allCases {
            #expect(try DatabaseURL(parsing: "mariadb://u@h/d?tls=\(mode.rawValue)").tls == mode)
        }
        // `verify` is the older name of verify-identity; MySQL's --ssl-mode spellings work too.
        for (text, mode) in [
            ("verify", DatabaseURL.TLSMode.verifyIdentity), ("VERIFY_IDENTITY", .verifyIdentity), ("VERIFY_CA", .verifyCA), ("Required", .required),
        ] {
            let parsed = try DatabaseURL(parsing: "mariadb://u@h/d?ssl-mode=\(text)")
            #expect(parsed.tls == mode)
            #expect(parsed.description == "mariadb://u@h:3306/d?tls=\(mode.rawValue)")
        }
        #expect(DatabaseURL.TLSMode.allCases.filter(\.verifiesCertificate) == [.verifyCA, .verifyIdentity])
        // What the chart renders for Argo CD (database.tls.caSecret appends tls-ca).
        let rendered = try DatabaseURL(
            parsing: "mariadb://barkd@barkd-db.barkd.svc.cluster.local:3306/barkd?tls=verify-identity&tls-ca=/etc/barkd/db-ca/ca.crt")
        #expect(rendered.tls == .verifyIdentity && rendered.tlsCA == "/etc/barkd/db-ca/ca.crt")
    }

    @Test func acceptsAPasswordButNeverShowsIt() throws {
        let url = try DatabaseURL(parsing: "mariadb://us%40er:p%40ss%3Aword@h:1/d")
        #expect(url.user == "us@er")
        #expect(url.password?.value == "p@ss:word")
        #expect(url.description == "mariadb://us%40er@h:1/d")
        #expect(!String(reflecting: url).contains("ss:word"))
        #expect("\(url.password!)" == "<redacted>")
        #expect(DatabasePassword("hunter2-long").redact("denied for hunter2-long!") == "denied for <redacted>!")
        #expect(DatabasePassword("abc").redact("abc") == "abc", "too short to redact safely")
    }

    /// Found by the DatabaseURL fuzzer (Fuzz/README.md): a user with a `/` printed as
    /// `mariadb://u/v@h:3306/d`, which does not parse (or names another database).
    @Test func printsAURLThatParsesBackToItself() throws {
        let url = try DatabaseURL(parsing: "mariadb://u%2Fv@h/d")
        #expect(url.user == "u/v")
        #expect(url.description == "mariadb://u%2Fv@h:3306/d")
        #expect(try DatabaseURL(parsing: url.description) == url)
        let full = try DatabaseURL(parsing: "mysql://a%3Ab%40c:pw@[::1]:4000/d%3Fb?tls=verify-ca&tls-ca=/c%20a.pem&socket=%26s")
        var withoutPassword = full
        withoutPassword.password = nil
        #expect(try DatabaseURL(parsing: full.description) == withoutPassword)
    }

    @Test(arguments: [
        ("postgres://u@h/d", "unsupported scheme"),
        ("mariadb:/u@h/d", "expected mariadb://"),
        ("mariadb://h/d", "missing user"),
        ("mariadb://u@h", "missing /database"),
        ("mariadb://u@h/", "database name"),
        ("mariadb://u@/d", "missing host"),
        ("mariadb://u@h:0/d", "invalid port"),
        ("mariadb://u@h:99999/d", "invalid port"),
        ("mariadb://u@h:x/d", "invalid port"),
        ("mariadb://u@[::1/d", "unterminated"),
        ("mariadb://u@h h/d", "invalid host"),
        ("mariadb://u@h/d?tls=maybe", "tls must be"),
        ("mariadb://u@h/d?tls=required&tls-ca=/ca.pem", "tls-ca needs tls=verify-ca"),
        ("mariadb://u@h/d?tls-ca=/ca.pem", "tls=disabled does not verify"),
        ("mariadb://u@h/d?color=blue", "unknown option"),
        ("mariadb://u@h/d?tls", "needs a value"),
        ("mariadb://u%zz@h/d", "percent-encoding"),
        // A raw NUL, as %00 already was (the fuzzer's finding, Fuzz/README.md): the names
        // go to the C client as C strings.
        ("mariadb://u@h/d\u{0}x", "database name"),
        ("mariadb://u\u{0}x@h/d", "percent-encoding"),
        ("mariadb://u@h/d?socket=/s\u{0}x", "needs a value"),
    ])
    func refusesInvalidURLs(text: String, reason: String) {
        #expect {
            _ = try DatabaseURL(parsing: text)
        } throws: { error in
            guard let error = error as? DatabaseURLError else { return false }
            return error.description.hasPrefix("invalid database URL: ") && error.reason.contains(reason)
        }
    }

    @Test func errorsNeverRepeatTheURL() {
        #expect {
            _ = try DatabaseURL(parsing: "mariadb://u:TopSecretPw@h:bad/d")
        } throws: { error in
            !"\(error)".contains("TopSecretPw")
        }
    }
}
