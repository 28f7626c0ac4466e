import CLinuxShim

/// How many CPUs this process can keep busy: the CPUs it may run on (its affinity mask)
/// capped by the CPU quota of its cgroup — what a container's `--cpus`, Kubernetes'
/// `limits.cpu` or systemd's `CPUQuota=` grant. A loop per host CPU under a quota of one
/// would leave loops runnable that the quota throttles, each a latency spike.
public enum AvailableCPUs {
    /// The affinity count capped by the cgroup quota (rounded up), at least 1.
    public static var count: Int {
        let affinity = max(1, Int(barkd_affinity_cpu_count()))
        guard let quota = cgroupQuota() else { return affinity }
        return max(1, min(affinity, quota))
    }

    /// The tightest CPU quota on the way from this process's cgroup to the root, in whole
    /// CPUs (rounded up); nil when no level sets one. cgroup v2 (`cpu.max`) and v1
    /// (`cpu.cfs_quota_us` / `cpu.cfs_period_us`) are both read.
    static func cgroupQuota(
        membership: String? = text(of: "/proc/self/cgroup"), read: (String) -> String? = text(of:)
    ) -> Int? {
        guard let membership else { return nil }
        let paths = CgroupMembership(membership)
        var quotas: [Int] = []
        if let path = paths.unified {
            for directory in ancestors(of: path, under: "/sys/fs/cgroup") + ancestors(of: path, under: "/sys/fs/cgroup/unified") {
                if let text = read(directory + "/cpu.max"), let quota = quota(cpuMax: text) { quotas.append(quota) }
            }
        }
        if let path = paths.cpuController {
            for mount in ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"] {
                for directory in ancestors(of: path, under: mount) {
                    if let quota = read(directory + "/cpu.cfs_quota_us"), let period = read(directory + "/cpu.cfs_period_us"),
                        let cpus = Self.quota(cfsQuota: quota, period: period)
                    {
                        quotas.append(cpus)
                    }
                }
            }
        }
        return quotas.min()
    }

    /// cgroup v2 `cpu.max`: `"max 100000"` (no quota) or `"150000 100000"` (1.5 CPUs → 2).
    static func quota(cpuMax text: String) -> Int? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2, let quota = Int(parts[0]), let period = Int(parts[1]) else { return nil }
        return cpus(quota: quota, period: period)
    }

    /// cgroup v1: `cpu.cfs_quota_us` (`-1`: no quota) over `cpu.cfs_period_us`.
    static func quota(cfsQuota: String, period: String) -> Int? {
        guard let quota = Int(firstWord(cfsQuota)), let period = Int(firstWord(period)) else { return nil }
        return cpus(quota: quota, period: period)
    }

    private static func firstWord(_ text: String) -> Substring {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).first ?? ""
    }

    /// A cgroup or proc file's text (``SmallFile``), nil if it cannot be read.
    static func text(of path: String) -> String? {
        SmallFile.read(path).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func cpus(quota: Int, period: Int) -> Int? {
        guard quota > 0, period > 0 else { return nil }
        return (quota + period - 1) / period
    }

    /// `mount + path` and each of its parents up to `mount` (a limit set higher up holds too).
    static func ancestors(of path: String, under mount: String) -> [String] {
        var components = path.split(separator: "/").map(String.init)
        var result: [String] = []
        while true {
            result.append(([mount] + components).joined(separator: "/"))
            guard !components.isEmpty else { return result }
            components.removeLast()
        }
    }
}

/// The cgroup paths of `/proc/self/cgroup`: the unified (v2) one (`0::/path`) and the v1
/// `cpu` controller's (`N:cpu,cpuacct:/path`).
struct CgroupMembership: Equatable {
    var unified: String?
    var cpuController: String?

    init(unified: String?, cpuController: String?) {
        self.unified = unified
        self.cpuController = cpuController
    }

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[0] == "0" && fields[1].isEmpty {
                unified = String(fields[2])
            } else if fields[1].split(separator: ",").contains("cpu") {
                cpuController = String(fields[2])
            }
        }
    }
}
