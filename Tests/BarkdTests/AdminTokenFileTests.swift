import Glibc
import Testing

@testable import barkd

/// `--admin-token-file`: read once while parsing, validated and used from that read;
/// trailing whitespace dropped; a file others can read is flagged for a warning.
@Suite("Admin token file")
struct AdminTokenFileTests {
    @Test func trailingWhitespaceIsDroppedAndInnerOnesRefused() throws {
        for (contents, token) in [
            ("a-token-long-enough\n", "a-token-long-enough"), ("a-token-long-enough\r\n", "a-token-long-enough"),
            ("a-token-long-enough \t\n\n", "a-token-long-enough"), ("a-token-long-enough", "a-token-long-enough"),
        ] {
            #expect(try AdminTokenFile.token(from: Array(contents.utf8)) == token, "\(contents.debugDescription)")
        }
        for bad in ["a-token long-enough\n", "a-token-long-enough\nsecond-line-token\n", "a-token-\u{0}long-enough", "short-token\n\n\n\n\n\n"] {
            #expect(throws: AdminTokenFile.Invalid.self, "\(bad.debugDescription)") { try AdminTokenFile.token(from: Array(bad.utf8)) }
        }
    }

    @Test func theTokenIsTheOneReadWhileParsing() throws {
        let file = TemporaryFile("the-first-token-value\n")
        let parsed = try #require(command(["--admin-token-file", file.path])?.adminTokenFile)
        // Rewritten after the check: what serves is still what was checked.
        let fd = open(file.path, O_WRONLY | O_TRUNC)
        #expect(fd >= 0)
        _ = "x".withCString { Glibc.write(fd, $0, 1) }
        close(fd)
        #expect(parsed.token == "the-first-token-value")
        #expect(parsed.path == file.path)
    }

    @Test func aFileOthersCanReadIsFlagged() throws {
        let file = TemporaryFile("a-token-long-enough\n")  // mkstemp: 0600
        #expect(try AdminTokenFile(path: file.path).isReadableByOthers == false)
        for mode: mode_t in [0o640, 0o604, 0o644] {
            chmod(file.path, mode)
            let token = try AdminTokenFile(path: file.path)
            #expect(token.isReadableByOthers, "mode \(String(mode, radix: 8))")
            #expect(token.mode == UInt32(mode))
        }
    }

    @Test func aDirectoryOrAnEmptyFileIsRefusedNamingTheOption() throws {
        let empty = TemporaryFile("\n")
        for path in ["/tmp", empty.path] {
            let message = try #require(invalidMessage(["--admin-token-file", path]))
            #expect(message.contains("--admin-token-file"), "\(message)")
            #expect(!message.contains("\n"))
        }
    }
}
