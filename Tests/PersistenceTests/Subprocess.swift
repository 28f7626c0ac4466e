import Foundation
import Glibc

@testable import Persistence

/// Runs helper programs from tests (the MariaDB test server script, openssl).
enum Subprocess {
    /// Runs `executable` with its standard output discarded (a server it starts would inherit a
    /// pipe and keep it open) and polls for its exit, so no thread blocks in `waitpid`;
    /// throws unless it exits 0.
    static func run(_ executable: String, _ arguments: [String]) async throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer {
            for arg in argv { free(arg) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard rc == 0 else { throw TestSetupError(description: "cannot run \(executable): \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw TestSetupError(description: "\(executable) \(arguments.joined(separator: " ")) failed (status \(status))")
        }
    }

    /// Runs a POSIX shell script.
    static func shell(_ script: String) async throws {
        try await run("/bin/sh", ["-ec", script])
    }
}
