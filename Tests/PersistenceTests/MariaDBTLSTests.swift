import Foundation
import Testing

@testable import Persistence

/// The TLS modes against a real mariadbd whose certificate is signed by a CA made here
/// with openssl: what each mode accepts and refuses.
@Suite("MariaDB TLS")
struct MariaDBTLSTests {
    static let pool = DatabasePoolConfiguration(
        size: 1, queueLimit: 4, waitTimeout: .seconds(2),
        reconnectInitialDelay: .milliseconds(10), reconnectMaximumDelay: .milliseconds(20))

    /// Two CAs (`ca1.pem`, `ca2.pem`) and, for the server, a key and a certificate signed
    /// by CA 1 naming `subjectAltName` (`server-cert.pem`, `server-key.pem`).
    static func makeCertificates(in directory: String, subjectAltName: String) async throws {
        try await Subprocess.shell(
            """
            cd '\(directory)'
            for ca in ca1 ca2; do
                [ -s $ca.pem ] || openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=barkd test $ca" \
                    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
                    -keyout $ca-key.pem -out $ca.pem 2>/dev/null
            done
            printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' '\(subjectAltName)' >server.ext
            openssl req -newkey rsa:2048 -nodes -subj /CN=barkd-test-server -keyout server-key.new -out server.csr 2>/dev/null
            openssl x509 -req -in server.csr -CA ca1.pem -CAkey ca1-key.pem -CAcreateserial -days 2 \
                -extfile server.ext -out server-cert.new 2>/dev/null
            if [ "$(id -u)" -eq 0 ] && id mysql >/dev/null 2>&1; then chown mysql:mysql server-key.new; fi
            mv server-key.new server-key.pem
            mv server-cert.new server-cert.pem
            """)
    }

    @Test(.timeLimit(.minutes(2)))
    func verifyingModesAgainstASelfMadeCA() async throws {
        // The server's certificate names db.barkd.test only; barkd connects to 127.0.0.1.
        let prepare: (String) async throws -> Void = { directory in
            try await Self.makeCertificates(in: directory, subjectAltName: "DNS:db.barkd.test")
        }
        try await OwnMariaDB.withServer(prepare: prepare) { server in
            let ca1 = server.directory + "/ca1.pem"
            let ca2 = server.directory + "/ca2.pem"
            func connect(_ tls: DatabaseURL.TLSMode, _ ca: String? = nil) async -> StoreError? {
                var url = server.url
                url.tls = tls
                url.tlsCA = ca
                let store = MariaDBStore(url: url, password: server.password, pool: Self.pool)
                defer { Task { await store.close() } }
                do {
                    _ = try await store.ping()
                    return nil
                } catch {
                    return error as? StoreError ?? .rejected("\(error)")
                }
            }
            func refused(_ error: StoreError?) -> Bool {
                guard case .unavailable(let reason) = error else { return false }
                return reason.contains("SSL") || reason.contains("TLS") || reason.contains("certificate")
            }

            // Not verified: an unknown CA and another host's name are accepted.
            #expect(await connect(.required) == nil)
            #expect(await connect(.preferred) == nil)
            // verify-ca: the chain is checked against tls-ca, the host name is not.
            #expect(await connect(.verifyCA, ca1) == nil)
            let wrongCA = await connect(.verifyCA, ca2)
            #expect(refused(wrongCA), "\(String(describing: wrongCA))")
            #expect(refused(await connect(.verifyCA)), "the system store does not know CA 1")
            // verify-identity: the chain and the host name.
            let wrongName = await connect(.verifyIdentity, ca1)
            #expect(refused(wrongName), "\(String(describing: wrongName))")
            #expect(refused(await connect(.verifyIdentity, ca2)))

            // A certificate from the same CA that names 127.0.0.1, loaded with FLUSH SSL.
            try await Self.makeCertificates(in: server.directory, subjectAltName: "IP:127.0.0.1")
            try await server.admin("FLUSH SSL")
            #expect(await connect(.verifyIdentity, ca1) == nil)
            #expect(await connect(.verifyCA, ca1) == nil)
            #expect(refused(await connect(.verifyIdentity, ca2)))
            #expect(refused(await connect(.verifyCA, ca2)))
            // `verify` is parsed as verify-identity.
            var alias = try DatabaseURL(parsing: "mariadb://barkd@127.0.0.1/barkd_test?tls=verify&tls-ca=\(ca1)")
            #expect(alias.tls == .verifyIdentity)
            alias.port = server.url.port
            let store = MariaDBStore(url: alias, password: server.password, pool: Self.pool)
            _ = try await store.ping()
            await store.close()
        }
    }
}
