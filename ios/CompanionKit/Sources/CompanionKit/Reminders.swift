import Foundation

/// The core's notification plan as pending requests: the device's records are planned
/// together (the core merges them soonest first under iOS's 64) and only what the core says
/// changed is removed and added. Called on every launch, after every write and every sync,
/// and from the background refresh.
public struct Reminders {
    /// How far ahead notifications are scheduled; planned again long before it runs out.
    public static let horizonHours: UInt32 = 48
    /// iOS keeps at most 64 pending notifications for an app.
    public static let maxPending: UInt32 = 64

    /// What one plan changed: the keys removed and added.
    public struct Applied: Equatable {
        public var removed: [String]
        public var added: [String]
    }

    private let center: NotificationScheduling

    public init(center: NotificationScheduling = App.center()) {
        self.center = center
    }

    /// Plans every record at the clock's now for the phone's zone and applies the change.
    /// `lost`: what was scheduled must all be set again (the clock, the zone or the
    /// permission changed; the app was restored on a new phone).
    @discardableResult
    public func replan(lost: Bool = false) throws -> Applied {
        let device = try App.openDevice()
        let planned = try device.planNotifications(
            now: App.now(), deviceZone: App.zone(), horizonHours: Self.horizonHours, max: Self.maxPending)
        let changes = planChanges(scheduled: center.pending(), planned: planned, lost: lost)
        center.remove(changes.remove)
        for n in changes.add { center.schedule(Request(n)) }
        return Applied(removed: changes.remove, added: changes.add.map { $0.key })
    }

    /// Records the phone's zone in every record that is the patient's own (a caregiver's or
    /// a clinician's phone is refused: its zone is not the patient's), then plans again and
    /// applies the difference (doses that follow local time move; the rest stay). Called at
    /// every launch and when the zone changes.
    public func zoneChanged() throws {
        let device = try App.openDevice()
        for summary in try device.records() where summary.problem == nil {
            let record = try device.openRecord(which: summary.id)
            do {
                _ = try record.recordDeviceZone(deviceZone: App.zone(), at: App.now())
            } catch CompanionError.NotPermitted {
                // Not the patient's phone.
            }
        }
        try replan()
    }
}
