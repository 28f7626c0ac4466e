public import Logging
import Server
public import ServiceLifecycle
public import Systemd

/// Sends `READY=1` to systemd once ``Readiness`` says the instance is ready (listeners
/// bound, start-up checks passed), then waits for shutdown.
public struct ReadinessNotifierService: Service {
    let readiness: Readiness
    let notifier: SystemdNotifier
    let status: String
    let logger: Logger

    public init(readiness: Readiness, notifier: SystemdNotifier = SystemdNotifier(), status: String, logger: Logger) {
        self.readiness = readiness
        self.notifier = notifier
        self.status = status
        self.logger = logger
    }

    public func run() async throws {
        await readiness.waitUntilReadyOrDraining()
        if readiness.isReady {
            notifier.ready(status: status)
            logger.info("ready", metadata: ["status": "\(status)"])
        }
        try? await gracefulShutdown()
    }
}
