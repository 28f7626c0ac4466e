public import Logging
import Observability
public import Persistence
import Server
public import ServiceLifecycle

/// Counts every page view, exactly once, and makes the counts durable.
///
/// Each write is a ``VisitBatch`` (this process's instance id and a sequence number), and
/// the database applies a batch at most once, so a write whose outcome is unknown is
/// retried as it is and never counted twice. `batched` (default): views are counted in
/// memory and written every flush interval. `sync`: a view is written before its page is
/// sent; views arriving together share one write (group commit: one transaction adds `n`,
/// each view gets its own number). While the database does not answer, views stay pending
/// (the page is still served), the batches are saved to the spool about once a second,
/// and writes are retried with backoff. At shutdown what cannot be written within the
/// final flush's budget is saved to the spool, and the next start writes it before it
/// is ready (``replaySpools()``).
public actor VisitorCounter: Service {
    public enum Mode: Sendable, Equatable {
        case batched(flushInterval: Duration)
        case sync

        /// How often batched views are written unless told otherwise
        /// (`--counter-flush-interval`).
        public static let defaultFlushInterval: Duration = .milliseconds(250)
    }

    /// How the counter behaves; the defaults suit tests.
    public struct Configuration: Sendable {
        public var mode: Mode
        /// Where batches are spooled (a folder in the data directory); nil: no spool.
        public var spoolDirectory: String?
        /// The final flush's share of the shutdown budget; then the rest is spooled.
        public var finalFlushBudget: Duration
        /// Beyond this many views not written, this instance reports itself not ready.
        public var maxPendingViews: Int64
        /// How often the spool is rewritten while writes fail.
        public var checkpointInterval: Duration

        /// Views held unwritten before this instance is not ready, unless told otherwise
        /// (`--max-pending-views`).
        public static let defaultMaxPendingViews: Int64 = 1_000_000

        public init(
            mode: Mode, spoolDirectory: String? = nil, finalFlushBudget: Duration = ShutdownBudget.default.finalFlush,
            maxPendingViews: Int64 = defaultMaxPendingViews, checkpointInterval: Duration = .seconds(1)
        ) {
            self.mode = mode
            self.spoolDirectory = spoolDirectory
            self.finalFlushBudget = finalFlushBudget
            self.maxPendingViews = maxPendingViews
            self.checkpointInterval = checkpointInterval
        }
    }

    /// What a start-up replay of spools left by earlier processes did.
    public struct Replay: Sendable, Equatable {
        public var files = 0
        public var batches = 0
        /// Views the replay added (batches an earlier attempt had applied add nothing).
        public var appliedViews: Int64 = 0
        /// Files whose damaged or cut end was dropped.
        public var damagedFiles = 0
    }

    /// A sync view's turn: its number, or the lead of the next group write.
    private enum Turn {
        case number(Int64)
        case lead
    }

    /// This process's name in the ledger (32 random hex digits).
    public nonisolated let instance: String
    private let store: any Store
    private let configuration: Configuration
    private let readiness: Readiness?
    private let logger: Logger
    private var state: CounterFlushState
    private var spool: CounterSpool?
    private var spoolHolds = false
    private var spoolClosed = false
    private var lastCheckpoint: ContinuousClock.Instant?
    private var lastWriteSucceeded = ContinuousClock.now
    private var waiting: [CheckedContinuation<Turn, Never>] = []
    private var leading = false
    private var overBound = false
    /// Views counted since start (this instance), for metrics.
    public private(set) var pageViews: Int64 = 0

    public init(store: any Store, configuration: Configuration, readiness: Readiness? = nil, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.readiness = readiness
        self.logger = logger
        let instance = Self.newInstanceID()
        self.instance = instance
        self.state = CounterFlushState(instance: instance)
    }

    /// Reads the stored total (at start).
    public func load() async throws {
        state.observeStored(try await store.visitorCount())
    }

    /// Writes the batches of spools that earlier processes left in the spool directory
    /// (each exactly once, in order), then deletes them; a damaged file's good prefix
    /// is written and the damage logged. Throws when the database fails: the spools
    /// stay for the next try.
    public func replaySpools() async throws -> Replay {
        var replay = Replay()
        guard let directory = configuration.spoolDirectory else { return replay }
        for orphan in CounterSpool.orphans(in: directory, except: instance) {
            if let problem = orphan.decoded.problem {
                replay.damagedFiles += 1
                logger.error(
                    "visitor counter spool damaged; writing its good part",
                    metadata: [
                        "file": "\(orphan.path)", "problem": "\(problem)", "batches_kept": "\(orphan.decoded.batches.count)",
                        "bytes_dropped": "\(orphan.decoded.droppedBytes)",
                    ])
            }
            do {
                for batch in orphan.decoded.batches {
                    let write = try await store.applyVisits(batch)
                    state.observeStored(write.total)
                    replay.batches += 1
                    if write.appliedNow { replay.appliedViews += batch.delta }
                }
            } catch {
                orphan.release()
                throw error
            }
            orphan.remove()
            replay.files += 1
        }
        if replay.files > 0 {
            logger.info(
                "replayed the visitor counter spool",
                metadata: ["files": "\(replay.files)", "batches": "\(replay.batches)", "views_added": "\(replay.appliedViews)"])
        }
        return replay
    }

    /// Counts one view and returns the visitor number to show.
    public func recordView() async -> Int64 {
        pageViews += 1
        let shown = state.recordViews()
        defer { updateReadiness() }
        // Sync writes wait for the database only while it answers; during an outage a
        // view is kept pending like in batched mode and the page is still served.
        guard configuration.mode == .sync, state.consecutiveFailures == 0 else { return shown }
        if leading || state.isWriting {
            let turn = await withCheckedContinuation { waiting.append($0) }
            if case .number(let number) = turn { return number }
        } else {
            leading = true
        }
        return await leadGroupWrite()
    }

    /// Writes this view and every view waiting with it as one batch; hands the lead to
    /// the next waiting view. Called with `leading` set, for this call.
    private func leadGroupWrite() async -> Int64 {
        let group = waiting
        waiting.removeAll()
        var numbers: [Int64] = []
        while numbers.isEmpty {
            let retrying = state.inFlight != nil
            guard let batch = state.beginWrite() else { break }
            do {
                let write = try await store.applyVisits(batch)
                writeSucceeded(write)
                // A retried older batch does not hold this group's views: write again.
                if !retrying { numbers = Self.numbers(count: group.count + 1, endingAt: write.total) }
            } catch {
                writeFailed(batch, error)
                numbers = Self.numbers(count: group.count + 1, endingAt: state.displayed)
            }
        }
        if numbers.isEmpty { numbers = Self.numbers(count: group.count + 1, endingAt: state.displayed) }
        for (waiter, number) in zip(group, numbers) { waiter.resume(returning: .number(number)) }
        leading = false
        handOffLead()
        return numbers[numbers.count - 1]
    }

    /// The next waiting view leads the next group write. The lead passes at once, so a
    /// view arriving before that one resumes waits instead of writing its batch.
    private func handOffLead() {
        guard !leading, !waiting.isEmpty else { return }
        leading = true
        waiting.removeFirst().resume(returning: .lead)
    }

    private static func numbers(count: Int, endingAt last: Int64) -> [Int64] {
        (0..<count).map { last - Int64(count - 1 - $0) }
    }

    /// The stored total plus what this instance has not written yet.
    public var count: Int64 { state.displayed }

    /// Views counted here and not yet durable.
    public var unflushed: Int64 { state.unflushed }

    /// The bookkeeping, for tests and `/health`.
    public var snapshot: CounterFlushState { state }

    /// Writes what is unflushed once (the batch in flight first); true when nothing is
    /// left. Does nothing while another write is under way.
    @discardableResult
    public func flush() async -> Bool {
        guard !leading, let batch = state.beginWrite() else { return state.unflushed == 0 }
        // Abandoned at shutdown (the task is cancelled) or after a minute: the final flush
        // then retries the same batch, which is applied at most once.
        let store = self.store
        switch await DeadlineRace.outcome(before: .now + .seconds(60), of: { try await store.applyVisits(batch) }) {
        case .success(let write)?:
            writeSucceeded(write)
            if state.unflushed == 0 { saveSpool() }
        case .failure(let error)?:
            writeFailed(batch, error)
        case nil:
            writeFailed(batch, StoreError.unavailable("the write was abandoned (shutdown or no answer for a minute)"))
        }
        updateReadiness()
        handOffLead()
        return state.unflushed == 0
    }

    private func writeSucceeded(_ write: VisitWrite) {
        state.writeSucceeded(total: write.total)
        lastWriteSucceeded = .now
    }

    private func writeFailed(_ batch: VisitBatch, _ error: any Error) {
        state.writeFailed()
        logger.warning(
            "visitor counter write failed; will retry the same batch",
            metadata: [
                "error": "\(error)", "sequence": "\(batch.sequence)", "views": "\(state.unflushed)", "retry_in": "\(state.retryDelay)",
            ])
        checkpoint()
    }

    /// Saves the unflushed batches to the spool at most once per checkpoint interval
    /// (unless `force`d), so a crash during an outage loses little.
    private func checkpoint(force: Bool = false) {
        let now = ContinuousClock.now
        if !force, let last = lastCheckpoint, now - last < configuration.checkpointInterval { return }
        lastCheckpoint = now
        saveSpool()
    }

    /// While writes do not succeed — they fail, or hang until a timeout — rewrites the
    /// spool every checkpoint interval on its own clock: failed writes alone come only as
    /// often as the retry backoff plus each attempt's timeouts (seconds apart later in an
    /// outage), and a SIGKILL would lose everything since. Healthy writes every flush
    /// interval cause no checkpoint (no disk writes).
    private func checkpointWhileWritesFail() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.checkpointInterval) } catch { return }
            if state.unflushed > 0 && ContinuousClock.now - lastWriteSucceeded >= configuration.checkpointInterval {
                checkpoint(force: true)
            }
        }
    }

    private func flushOnInterval() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: nextFlushDelay) } catch { return }
            await flush()
        }
    }

    /// Makes the spool hold exactly the unflushed batches (removing it when none).
    @discardableResult
    private func saveSpool() -> Bool {
        openSpool()
        let batches = state.unflushedBatches
        guard let spool, spoolHolds || !batches.isEmpty else { return spool != nil || batches.isEmpty }
        do {
            try spool.save(batches)
            spoolHolds = !batches.isEmpty
            return true
        } catch {
            logger.error("cannot save the visitor counter spool", metadata: ["error": "\(error)", "views": "\(state.unflushed)"])
            return false
        }
    }

    private func updateReadiness() {
        let over = state.unflushed > configuration.maxPendingViews
        guard over != overBound else { return }
        overBound = over
        readiness?.setCheck(
            "visitor counter", failing: over ? "more than \(configuration.maxPendingViews) views not written to the database" : nil)
    }

    /// The flush interval, or the retry backoff after failures (sync mode only retries).
    private var nextFlushDelay: Duration {
        if state.consecutiveFailures > 0 { return state.retryDelay }
        if case .batched(let flushInterval) = configuration.mode { return flushInterval }
        return .seconds(1)
    }

    /// Opens the spool (this process's lock), flushes on the interval (or the retry
    /// backoff) until shutdown, then writes what it can within the final flush's budget
    /// and spools the rest.
    public func run() async throws {
        openSpool()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.flushOnInterval() }
                group.addTask { await self.checkpointWhileWritesFail() }
            }
        }
        await finalFlush()
    }

    private func openSpool() {
        guard spool == nil, !spoolClosed, let directory = configuration.spoolDirectory else { return }
        do {
            spool = try CounterSpool(directory: directory, instance: instance)
        } catch {
            logger.error("visitor counter spool unavailable: views not written at shutdown will be lost", metadata: ["error": "\(error)"])
        }
    }

    /// Writes within the budget, then spools what is left; every waiting view is answered.
    func finalFlush() async {
        let deadline = ContinuousClock.now + configuration.finalFlushBudget
        while leading && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        writing: while state.unflushed > 0, !leading, ContinuousClock.now < deadline, let batch = state.beginWrite() {
            let store = self.store
            switch await DeadlineRace.outcome(before: deadline, of: { try await store.applyVisits(batch) }) {
            case .success(let write)?:
                writeSucceeded(write)
            case .failure(let error)?:
                state.writeFailed()
                logger.warning("visitor counter final write failed", metadata: ["error": "\(error)", "views": "\(state.unflushed)"])
                // Cancelled (the service group's own limit passed): spool at once.
                if Task.isCancelled { break writing }
                let rest = deadline - ContinuousClock.now
                if rest > .zero { try? await Task.sleep(for: min(state.retryDelay, rest)) }
            case nil:
                state.writeFailed()  // unknown outcome: the spool keeps the same batch
                logger.warning("visitor counter final write did not finish in its budget", metadata: ["views": "\(state.unflushed)"])
                break writing
            }
        }
        let left = state.unflushed
        for waiter in waiting { waiter.resume(returning: .number(state.displayed)) }
        waiting.removeAll()
        if left == 0 {
            saveSpool()
            logger.info("visitor counter flushed", metadata: ["stored": "\(state.stored)"])
        } else if spool != nil, saveSpool() {
            logger.warning(
                "visitor counter spooled; the next start writes it",
                metadata: ["views": "\(left)", "batches": "\(state.unflushedBatches.count)", "spool": "\(spool?.path ?? "")"])
        } else {
            logger.error("visitor counter not flushed at exit", metadata: ["lost_views": "\(left)"])
        }
        spool?.close()
        spool = nil
        spoolClosed = true
    }

    private static func newInstanceID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode(generator.next() as UInt64) + Hex.encode(generator.next() as UInt64)
    }
}
