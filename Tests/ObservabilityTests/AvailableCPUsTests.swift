import Testing

@testable import Observability

/// The default loop count under a CPU quota: cgroup v2 and v1 files as the kernel writes
/// them, read through a stand-in file system.
@Suite("Available CPUs: affinity capped by the cgroup CPU quota")
struct AvailableCPUsTests {
    @Test func cgroupV2CPUMax() {
        #expect(AvailableCPUs.quota(cpuMax: "max 100000\n") == nil)
        #expect(AvailableCPUs.quota(cpuMax: "100000 100000\n") == 1)
        #expect(AvailableCPUs.quota(cpuMax: "150000 100000\n") == 2, "a fraction of a CPU rounds up")
        #expect(AvailableCPUs.quota(cpuMax: "50000 100000") == 1)
        #expect(AvailableCPUs.quota(cpuMax: "400000 100000") == 4)
        #expect(AvailableCPUs.quota(cpuMax: "garbage") == nil)
    }

    @Test func cgroupV1CFSQuota() {
        #expect(AvailableCPUs.quota(cfsQuota: "-1\n", period: "100000\n") == nil)
        #expect(AvailableCPUs.quota(cfsQuota: "200000\n", period: "100000\n") == 2)
        #expect(AvailableCPUs.quota(cfsQuota: "25000\n", period: "100000\n") == 1)
        #expect(AvailableCPUs.quota(cfsQuota: "x", period: "100000") == nil)
    }

    @Test func membershipFindsTheUnifiedAndTheCPUControllerPaths() {
        let hybrid = "9:name=systemd:/\n2:cpuacct:/\n1:cpu:/bench\n0::/\n"
        #expect(CgroupMembership(hybrid) == CgroupMembership(unified: "/", cpuController: "/bench"))
        let v1 = "4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n"
        #expect(CgroupMembership(v1) == CgroupMembership(unified: nil, cpuController: "/docker/abc"))
        #expect(CgroupMembership("0::/system.slice/barkd.service\n") == CgroupMembership(unified: "/system.slice/barkd.service", cpuController: nil))
    }

    @Test func theTightestLevelOnTheWayToTheRootWins() {
        let files = [
            "/sys/fs/cgroup/cpu.max": "max 100000\n",
            "/sys/fs/cgroup/kubepods/cpu.max": "300000 100000\n",
            "/sys/fs/cgroup/kubepods/pod1/cpu.max": "max 100000\n",
            "/sys/fs/cgroup/kubepods/pod1/app/cpu.max": "max 100000\n",
        ]
        let quota = AvailableCPUs.cgroupQuota(membership: "0::/kubepods/pod1/app\n") { files[$0] }
        #expect(quota == 3, "a limit set on a parent holds for its children")
        #expect(AvailableCPUs.cgroupQuota(membership: "0::/kubepods/pod1/app\n") { _ in nil } == nil)
    }

    @Test func cgroupV1UnderEitherMountName() {
        let files = [
            "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "100000\n",
            "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
        ]
        #expect(AvailableCPUs.cgroupQuota(membership: "4:cpu,cpuacct:/docker/abc\n") { files[$0] } == 1)
        #expect(AvailableCPUs.cgroupQuota(membership: "4:cpu,cpuacct:/docker/abc\n") { _ in nil } == nil)
    }

    @Test func thisProcessCountsAtLeastOneCPUAndNoMoreThanItMayRunOn() {
        #expect(AvailableCPUs.count >= 1)
    }
}
