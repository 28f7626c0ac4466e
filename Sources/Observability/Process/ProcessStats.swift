import Glibc

/// The standard `process_*` figures of this process, read from `/proc` (what the
/// Prometheus client libraries of other languages export under the same names).
public struct ProcessStats: Sendable, Equatable {
    /// User plus system CPU time, in seconds.
    public var cpuSeconds: Double
    public var residentBytes: Int
    public var virtualBytes: Int
    public var threads: Int
    /// Start time, in seconds since the Unix epoch.
    public var startTimeSeconds: Double
    public var openFDs: Int
    public var maxFDs: Int

    /// Parses the fields this type needs from `/proc/self/stat` (`stat`), with the boot
    /// time (`btime` of `/proc/stat`), the clock tick rate and the page size; nil when the
    /// line is not a stat line.
    public static func parse(stat: String, bootTime: Double, ticksPerSecond: Double, pageSize: Int) -> ProcessStats? {
        // The command name is in parentheses and may contain spaces: split after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3 of the line); field N of the line is fields[N - 3].
        guard fields.count >= 22,
            let utime = Double(fields[11]), let stime = Double(fields[12]),
            let threads = Int(fields[17]), let start = Double(fields[19]),
            let vsize = Int(fields[20]), let rssPages = Int(fields[21]),
            ticksPerSecond > 0
        else { return nil }
        return ProcessStats(
            cpuSeconds: (utime + stime) / ticksPerSecond, residentBytes: rssPages * pageSize, virtualBytes: vsize,
            threads: threads, startTimeSeconds: bootTime + start / ticksPerSecond, openFDs: 0, maxFDs: 0
        )
    }

    /// The `btime` line of `/proc/stat`: boot time in seconds since the epoch.
    public static func parseBootTime(procStat: String) -> Double? {
        for line in procStat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingPrefix(" "))
        }
        return nil
    }

    /// Reads this process's figures. Blocking file reads: never call on an event loop.
    public static func read() -> ProcessStats? {
        guard let stat = readSmallFile("/proc/self/stat"),
            let bootTime = readSmallFile("/proc/stat").flatMap(parseBootTime(procStat:)),
            var stats = parse(
                stat: stat, bootTime: bootTime, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))),
                pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))
        else { return nil }
        stats.openFDs = countOpenFDs()
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { stats.maxFDs = Int(clamping: limit.rlim_cur) }
        return stats
    }

    private static func readSmallFile(_ path: String) -> String? {
        SmallFile.read(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Entries of `/proc/self/fd` (the directory's own descriptor excluded).
    private static func countOpenFDs() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in name[0] == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return max(0, count - 1)
    }
}
