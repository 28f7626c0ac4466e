import Glibc
import Observability

/// The visitor counter's spool on disk: the batches a barkd process has counted but not
/// yet written to the database, kept in `<directory>/<instance>.spool` so that the next
/// start writes them — exactly once, since each keeps its instance and sequence and the
/// ledger knows which were applied (``Store/applyVisits(_:)``).
///
/// Each process holds an exclusive `flock` on `<directory>/<instance>.lock` for its whole
/// life, so a starting process takes over only the spools of processes that are gone
/// (several barkd may share a data directory). The calls block on the file system:
/// call them off the event loops.
public final class CounterSpool: Sendable {
    /// Why the spool could not be used.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    public let directory: String
    public let instance: String
    private let lockFD: Int32

    /// Creates the directory if needed and takes this process's lock.
    public init(directory: String, instance: String) throws(Failure) {
        if let problem = Directory.create(directory) {
            throw Failure(description: "cannot create the spool directory \(directory): \(problem)")
        }
        self.directory = directory
        self.instance = instance
        let lockPath = "\(directory)/\(instance).lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot open \(lockPath): \(Self.reason())") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = Self.reason()
            Glibc.close(fd)
            throw Failure(description: "cannot lock \(lockPath): \(reason)")
        }
        lockFD = fd
    }

    /// The spool file of this process.
    public var path: String { "\(directory)/\(instance).spool" }

    /// Replaces the spool with `batches`, durably (a temporary file written and synced,
    /// renamed over the spool, the directory synced); an empty list removes the spool.
    public func save(_ batches: [VisitBatch]) throws(Failure) {
        if batches.isEmpty {
            if unlink(path) != 0 && errno != ENOENT { throw Failure(description: "cannot remove \(path): \(Self.reason())") }
            Self.syncDirectory(directory)
            return
        }
        let temporary = "\(path).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): \(Self.reason())") }
        let bytes = CounterSpoolFormat.encode(batches)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress! + written, raw.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let reason = Self.reason()
                Glibc.close(fd)
                throw Failure(description: "cannot write \(temporary): \(reason)")
            }
            written += result
        }
        guard fsync(fd) == 0 else {
            let reason = Self.reason()
            Glibc.close(fd)
            throw Failure(description: "cannot sync \(temporary): \(reason)")
        }
        Glibc.close(fd)
        guard rename(temporary, path) == 0 else { throw Failure(description: "cannot rename \(temporary): \(Self.reason())") }
        Self.syncDirectory(directory)
    }

    /// Releases the lock and removes the lock file (the spool file, if any, stays).
    public func close() {
        unlink("\(directory)/\(instance).lock")
        Glibc.close(lockFD)
    }

    /// A spool left by a process that is gone, locked by the caller until ``remove()``.
    public final class Orphan: Sendable {
        public let path: String
        public let decoded: CounterSpoolFormat.Decoded
        private let lockPath: String
        private let lockFD: Int32

        fileprivate init(path: String, decoded: CounterSpoolFormat.Decoded, lockPath: String, lockFD: Int32) {
            self.path = path
            self.decoded = decoded
            self.lockPath = lockPath
            self.lockFD = lockFD
        }

        /// Deletes the spool (its batches are written) and its lock.
        public func remove() {
            unlink(path)
            unlink(lockPath)
            CounterSpool.syncDirectory(String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]))
            Glibc.close(lockFD)
        }

        /// Lets the spool be for another start (its batches could not be written now).
        public func release() {
            Glibc.close(lockFD)
        }
    }

    /// The spools in `directory` whose processes are gone (their lock is free), oldest
    /// first, each locked by the caller; `except` is the caller's own instance.
    public static func orphans(in directory: String, except own: String) -> [Orphan] {
        guard let dir = opendir(directory) else { return [] }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".spool") && name != "\(own).spool" { names.append(name) }
        }
        closedir(dir)
        var found: [(modified: Int, orphan: Orphan)] = []
        for name in names {
            let path = "\(directory)/\(name)"
            let lockPath = "\(directory)/\(name.dropLast(".spool".count)).lock"
            let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { continue }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                Glibc.close(fd)  // its process still runs
                continue
            }
            var info = stat()
            guard stat(path, &info) == 0, let bytes = SmallFile.read(path) else {
                Glibc.close(fd)
                continue
            }
            let orphan = Orphan(path: path, decoded: CounterSpoolFormat.decode(bytes), lockPath: lockPath, lockFD: fd)
            found.append((Int(info.st_mtim.tv_sec), orphan))
        }
        return found.sorted { $0.modified < $1.modified }.map(\.orphan)
    }

    fileprivate static func syncDirectory(_ directory: String) {
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        Glibc.close(fd)
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
