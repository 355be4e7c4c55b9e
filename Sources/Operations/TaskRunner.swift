import Basics
import Foundation
import Logging

/// Runs one background task at a time as a child process and keeps its log: each line the program
/// writes is stored with the time it was read and handed at once to whoever follows the task (the
/// dashboard's live log). Finished tasks are kept, newest first, up to `history`, and written to
/// `file` when one ends, so the last runs and their logs outlive a restart of the server.
public final class TaskRunner: @unchecked Sendable {
    // @unchecked Sendable: every field is read and changed only under `lock`.
    private let lock = NSLock()
    private let saving = NSLock()
    private var tasks: [OpsTask] = []
    private var logs: [String: [OpsLogLine]] = [:]
    private var followers: [String: [UUID: AsyncStream<OpsLogLine>.Continuation]] = [:]
    /// The running task's process, and whether it was asked to stop.
    private var current: (id: String, process: Process)?
    private var cancelled: Set<String> = []
    /// After SIGTERM, the seconds a task has to stop before SIGKILL (the programs stop after
    /// the unit in progress; their locks are flock(2)s, which the kernel drops with the process).
    public var cancelGrace: Double = 20
    private var counter = 0
    private let history: Int
    private let file: String?
    private let logger: Logger
    /// Lines kept per task in `file` (the newest): a runaway log must not grow it without bound.
    static let storedLines = 5_000

    struct Stored: Codable {
        var task: OpsTask
        var log: [OpsLogLine]
    }

    public init(history: Int = 20, file: String? = nil, logger: Logger = Logger(label: "mntrading.ops.tasks")) {
        self.history = history
        self.file = file
        self.logger = logger
        guard let file, let data = FileManager.default.contents(atPath: file) else { return }
        do {
            for var stored in try ProjectJSON.decoder().decode([Stored].self, from: data).prefix(history) {
                // A task the previous server was running when it stopped: its process is gone too.
                if stored.task.state == .running {
                    stored.task.state = .failed
                    stored.log.append(
                        OpsLogLine(
                            number: stored.task.lines + 1, time: stored.task.startedAt,
                            text: "the ops server stopped while this task ran; its end is unknown"))
                    stored.task.lines += 1
                }
                tasks.append(stored.task)
                logs[stored.task.id] = stored.log
            }
        } catch {
            logger.warning("\(file) is not a task history (\(error)); starting without one")
        }
    }

    /// Writes the kept tasks and their logs (the newest lines of each); a failure is logged, the
    /// tasks stay in memory.
    private func save() {
        guard let file else { return }
        // One writer at a time, each writing the state as it is then: two saves (a start on the
        // server's thread, an end on a reader's) cannot land an older snapshot last.
        saving.lock()
        defer { saving.unlock() }
        let stored = lock.withLock {
            tasks.map { Stored(task: $0, log: Array((logs[$0.id] ?? []).suffix(Self.storedLines))) }
        }
        do {
            try AtomicFile.write(try ProjectJSON.encoder().encode(stored), to: file)
        } catch {
            logger.warning("cannot write the task history \(file): \(error)")
        }
    }

    /// The running task, if any.
    public var running: OpsTask? { lock.withLock { tasks.first { $0.state == .running } } }

    public func list() -> [OpsTask] { lock.withLock { tasks } }

    public func task(_ id: String) -> OpsTask? { lock.withLock { tasks.first { $0.id == id } } }

    /// The task's log lines from `number` on (1-based).
    public func lines(_ id: String, from number: Int = 1) -> [OpsLogLine]? {
        lock.withLock { logs[id].map { $0.filter { $0.number >= number } } }
    }

    /// Starts `executable` with `arguments` unless a task is running (then `OpsError.conflict`).
    public func start(kind: String, executable: String, arguments: [String]) throws -> OpsTask {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        // The task needs no ops token; a program it runs should not see one.
        process.environment = ProcessInfo.processInfo.environment.filter {
            $0.key != OpsConfiguration.tokenVariable.name
        }
        let task: OpsTask = try lock.withLock {
            if let busy = tasks.first(where: { $0.state == .running }) {
                throw OpsError.conflict("task \(busy.id) (\(busy.kind)) is running; one task runs at a time")
            }
            counter += 1
            let now = Self.now()
            let task = OpsTask(
                id: "\(kind)-\(now)-\(counter)", kind: kind, arguments: arguments, state: .running, exitStatus: nil,
                startedAt: now, finishedAt: nil, lines: 0)
            do { try process.run() } catch {
                throw OpsError.badRequest("cannot start \(executable): \(error.localizedDescription)")
            }
            tasks.insert(task, at: 0)
            logs[task.id] = []
            current = (task.id, process)
            // Only the newest finished tasks keep their logs.
            while tasks.count > history, let oldest = tasks.last, oldest.state != .running {
                tasks.removeLast()
                logs[oldest.id] = nil
            }
            return task
        }
        logger.info("task \(task.id) started: \(executable) \(arguments.joined(separator: " "))")
        save()
        let reader = Thread { [self] in self.read(output.fileHandleForReading, of: task.id, process: process) }
        reader.name = "mntrading-ops-task"
        reader.start()
        return task
    }

    /// Asks the running task `id` to stop: SIGTERM, then SIGKILL after `cancelGrace` seconds if it
    /// has not ended. Answers the task; `OpsError.notFound` for an unknown id, `.conflict` for a
    /// task that is not running.
    public func cancel(_ id: String) throws -> OpsTask {
        let (task, running): (OpsTask, Process) = try lock.withLock {
            guard let task = tasks.first(where: { $0.id == id }) else { throw OpsError.notFound("unknown task \(id)") }
            guard task.state == .running, let running = current, running.id == id else {
                throw OpsError.conflict("task \(id) is not running (\(task.state.rawValue))")
            }
            cancelled.insert(id)
            return (task, running.process)
        }
        logger.notice("task \(id) cancelled: SIGTERM to pid \(running.processIdentifier)")
        running.terminate()
        let grace = cancelGrace
        let logger = self.logger
        Thread.detachNewThread {
            let deadline = Date().addingTimeInterval(grace)
            while running.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            if running.isRunning {
                logger.warning("task \(id) still running \(grace) s after SIGTERM: SIGKILL")
                kill(running.processIdentifier, SIGKILL)
            }
        }
        return task
    }

    /// Follows a task's log: the lines so far, then each new one as it is written, until the task ends.
    public func follow(_ id: String) -> AsyncStream<OpsLogLine>? {
        lock.withLock {
            guard let task = tasks.first(where: { $0.id == id }) else { return nil }
            let (stream, continuation) = AsyncStream<OpsLogLine>.makeStream()
            for line in logs[id] ?? [] { continuation.yield(line) }
            if task.state == .running {
                let key = UUID()
                followers[id, default: [:]][key] = continuation
                continuation.onTermination = { [weak self] _ in
                    self?.lock.withLock { _ = self?.followers[id]?.removeValue(forKey: key) }
                }
            } else {
                continuation.finish()
            }
            return stream
        }
    }

    private static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Reads the program's output to its end, line by line (a progress bar's carriage returns end
    /// lines too), then records how it exited.
    private func read(_ handle: FileHandle, of id: String, process: Process) {
        var pending: [UInt8] = []
        func emit(_ bytes: ArraySlice<UInt8>) {
            let text = String(decoding: bytes, as: UTF8.self)
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return }
            lock.withLock {
                guard let index = tasks.firstIndex(where: { $0.id == id }) else { return }
                tasks[index].lines += 1
                let line = OpsLogLine(number: tasks[index].lines, time: Self.now(), text: text)
                logs[id, default: []].append(line)
                for continuation in (followers[id] ?? [:]).values { continuation.yield(line) }
            }
        }
        while true {
            let data = handle.availableData
            if data.isEmpty { break }
            pending += data
            var start = pending.startIndex
            for index in pending.indices where pending[index] == 0x0A || pending[index] == 0x0D {
                emit(pending[start..<index])
                start = index + 1
            }
            pending.removeFirst(start - pending.startIndex)
        }
        if !pending.isEmpty { emit(pending[...]) }
        process.waitUntilExit()
        let status = process.terminationStatus
        let following = lock.withLock { () -> [AsyncStream<OpsLogLine>.Continuation] in
            if current?.id == id { current = nil }
            if let index = tasks.firstIndex(where: { $0.id == id }) {
                tasks[index].state = cancelled.remove(id) != nil ? .cancelled : status == 0 ? .succeeded : .failed
                tasks[index].exitStatus = status
                tasks[index].finishedAt = Self.now()
            }
            defer { followers[id] = nil }
            return Array((followers[id] ?? [:]).values)
        }
        // Outside the lock: finishing runs each stream's termination handler, which takes it.
        for continuation in following { continuation.finish() }
        save()
        logger.info("task \(id) ended with status \(status)")
    }
}
