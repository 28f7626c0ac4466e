import CLinuxShim
import Glibc

/// Starts named OS threads. Event loops, the log writer, the watchdog and the database
/// pool own their threads; they never borrow one from the cooperative pool.
public enum OSThread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func start(name: String, _ body: @escaping @Sendable () -> Void) -> pthread_t {
        // Thread names are limited to 15 bytes by the kernel.
        let shortName = String(name.prefix(15))
        let box = Unmanaged.passRetained(
            Box {
                _ = barkd_set_thread_name(shortName)
                body()
            }
        ).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                box.body()
                return nil
            }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        return thread
    }

    static func join(_ thread: pthread_t) {
        _ = pthread_join(thread, nil)
    }
}

extension OSThread {
    /// Starts a thread nobody joins (it lives as long as the process).
    public static func startDetached(name: String, _ body: @escaping @Sendable () -> Void) {
        _ = pthread_detach(start(name: name, body))
    }
}
