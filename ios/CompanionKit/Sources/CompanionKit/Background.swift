import BackgroundTasks
import Foundation

/// What the app needs of the system's background scheduler; the tests' double records it.
public protocol BackgroundScheduling {
    /// Asks for a background refresh no earlier than `earliest`.
    func submit(identifier: String, earliest: Date) throws
}

/// BGTaskScheduler.
public struct SystemBackgroundScheduler: BackgroundScheduling {
    public init() {}

    public func submit(identifier: String, earliest: Date) throws {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = earliest
        try BGTaskScheduler.shared.submit(request)
    }
}

/// Sync in the background through the core's sync service: a pass syncs every shared record
/// of the device (never holding a record the app uses while it waits on the network), and
/// what arrived becomes notifications by planning again: an urgent alert that arrived is in
/// the plan, due now; a dose logged elsewhere withdraws its reminder; a clinician's new dose
/// time moves its notifications.
public final class Background: @unchecked Sendable {
    /// The refresh task's identifier (Info.plist's BGTaskSchedulerPermittedIdentifiers).
    public static let refresh = "org.companion.sync"
    /// The time a background refresh gets; records not begun by then wait for the next.
    public static let deadlineSeconds: UInt32 = 25
    /// How often the app asks to be woken (the phone decides when).
    public static let every: TimeInterval = 30 * 60

    public static let shared = Background()

    private let lock = NSLock()
    private var service: SyncService?
    /// The scheduler (tests: a double).
    public var scheduler: BackgroundScheduling = SystemBackgroundScheduler()
    /// The sync state last seen (for the settings screen).
    public private(set) var state: SyncState = .idle
    /// What the last pass changed in the pending notifications.
    public private(set) var lastApplied: Reminders.Applied?

    private final class Observer: SyncObserver, @unchecked Sendable {
        weak var owner: Background?
        func onState(state: SyncState) { owner?.state = state }
        func onRecord(record: RecordSyncSummary) {}
    }

    private func syncService() throws -> SyncService {
        lock.lock()
        defer { lock.unlock() }
        if let service { return service }
        let observer = Observer()
        observer.owner = self
        // No diff from the service: each pass is followed by a replan of the whole device.
        let made = SyncService(device: try App.openDevice(), transport: App.transport(), observer: observer, deviceZone: nil)
        service = made
        return made
    }

    /// Registers the refresh task's handler (before the app finishes launching).
    public func register() {
        _ = BGTaskScheduler.shared.register(forTaskWithIdentifier: Self.refresh, using: nil) { task in
            self.scheduleNext()
            let work = Thread {
                let ok = (try? self.syncOnce(seconds: Self.deadlineSeconds)) != nil
                task.setTaskCompleted(success: ok)
            }
            task.expirationHandler = { self.service?.stop() }
            work.start()
        }
    }

    /// Asks for the next refresh.
    public func scheduleNext() {
        try? scheduler.submit(identifier: Self.refresh, earliest: App.clock().addingTimeInterval(Self.every))
    }

    /// One pass within `seconds`, then the reminders planned again.
    @discardableResult
    public func syncOnce(seconds: UInt32 = 60) throws -> [RecordSyncSummary] {
        let synced = try syncService().syncOnce(seconds: seconds)
        lastApplied = try Reminders().replan()
        return synced
    }

    /// Forgets the service (a test's fresh start).
    public func reset() {
        lock.lock()
        defer { lock.unlock() }
        service?.stop()
        service = nil
        lastApplied = nil
    }
}
