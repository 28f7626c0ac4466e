import CSystemd
import Glibc

/// Listening sockets passed by systemd socket activation (`LISTEN_FDS`, `LISTEN_PID`).
public enum SocketActivation {
    /// The inherited listening fds (starting at 3), or an empty array when none were
    /// passed to this process. The environment variables are unset afterwards.
    public static func listeningFDs() -> [Int32] {
        let count = sd_listen_fds(1)
        guard count > 0 else { return [] }
        return (0..<count).map { SD_LISTEN_FDS_START + $0 }
    }
}
