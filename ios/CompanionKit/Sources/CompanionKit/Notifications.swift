import Foundation
import UserNotifications

/// One notification request as the app schedules it: everything shown and everything its
/// buttons need, so that an action is carried out without opening the app or asking the
/// record what the notification was.
public struct Request: Equatable {
    /// The identifier: the core's `record/id` key.
    public var key: String
    /// The core's fingerprint of what it shows and does (kept to diff against the next plan).
    public var fingerprint: String
    public var record: String
    public var fireAt: Date
    public var title: String
    public var body: String
    /// `NotificationKind` as the core names it.
    public var kind: NotificationKind
    public var importance: Importance
    public var actions: [NotificationAction]
    /// The doses it is about: medication ids and occurrences (RFC 3339), pairwise.
    public var medications: [String]
    public var scheduledAt: [String]
    public var forCaregiver: Bool

    /// The request for the core's planned notification `n`.
    public init(_ n: DeviceNotification) {
        key = n.key
        fingerprint = n.fingerprint
        record = n.record
        fireAt = instant(n.notification.fireAt) ?? Date()
        title = n.notification.title
        body = n.notification.body
        kind = n.notification.kind
        importance = n.notification.importance
        actions = n.notification.actions
        medications = n.notification.doses.map { $0.medicationId }
        scheduledAt = n.notification.doses.map { $0.scheduledAt }
        forCaregiver = n.forCaregiver
    }

    /// The thread it is grouped in, like Android's channels: urgent alerts apart on every
    /// phone, what a caregiver is told about the patient apart from the person's own doses.
    public var thread: String {
        if kind == .safetyAlert { return Notifications.urgent }
        if forCaregiver { return Notifications.caregiver }
        if kind == .refill || kind == .prescriptionEnd { return Notifications.refills }
        return Notifications.doses
    }

    /// The category: the dose buttons when the core offers them.
    public var category: String? {
        actions.isEmpty ? nil : Notifications.doseCategory
    }

    /// What the notification carries for its buttons.
    public var userInfo: [String: Any] {
        [
            "key": key, "fingerprint": fingerprint, "record": record,
            "medications": medications, "scheduledAt": scheduledAt,
            "title": title, "thread": thread,
        ]
    }
}

/// What a notification's buttons need, read back from what it carries.
public struct Carried: Equatable {
    public var key: String
    public var record: String
    public var title: String
    public var thread: String
    public var medications: [String]
    public var scheduledAt: [String]

    /// Nil for a notification that is not the app's (a stray payload).
    public init?(_ info: [AnyHashable: Any]) {
        guard let key = info["key"] as? String, let record = info["record"] as? String else { return nil }
        self.key = key
        self.record = record
        title = info["title"] as? String ?? ""
        thread = info["thread"] as? String ?? Notifications.doses
        medications = info["medications"] as? [String] ?? []
        scheduledAt = info["scheduledAt"] as? [String] ?? []
    }
}

/// What the app needs of the system's notification center; `SystemNotificationCenter` is the
/// real one, the tests' double records what it is asked.
public protocol NotificationScheduling {
    /// The pending requests' keys and fingerprints.
    func pending() -> [ScheduledNotification]
    /// Schedules `request` at its time.
    func schedule(_ request: Request)
    /// Removes pending requests by key.
    func remove(_ keys: [String])
    /// Shows `text` now in place of the delivered notification `key` (an action refused).
    func replace(_ carried: Carried, text: String)
    /// Takes away the delivered notification `key`.
    func withdraw(_ key: String)
    /// Titles the dose buttons in `words` (at launch, and when the app's language changes).
    func label(_ words: Words)
}

/// The identifiers the app's notifications use.
public enum Notifications {
    public static let doses = "doses"
    public static let urgent = "urgent"
    public static let caregiver = "caregiver"
    public static let refills = "refills"
    /// The category of a dose notification: Taken, Snooze, Skip.
    public static let doseCategory = "org.companion.dose"

    /// The dose buttons, run in the background without opening the app (no `.foreground`).
    public static func categories(_ words: Words) -> Set<UNNotificationCategory> {
        let actions = [
            UNNotificationAction(identifier: NotificationAction.take.identifier, title: words.taken, options: []),
            UNNotificationAction(identifier: NotificationAction.snooze.identifier, title: words.snooze, options: []),
            UNNotificationAction(identifier: NotificationAction.skip.identifier, title: words.skip, options: [.destructive]),
        ]
        return [UNNotificationCategory(identifier: doseCategory, actions: actions, intentIdentifiers: [], options: [])]
    }
}

extension NotificationAction {
    /// The action's identifier on a notification button.
    public var identifier: String {
        switch self {
        case .take: return "TAKE"
        case .snooze: return "SNOOZE"
        case .skip: return "SKIP"
        }
    }
}

/// UNUserNotificationCenter. iOS keeps at most 64 pending requests for an app: the core's
/// device plan never asks for more.
public final class SystemNotificationCenter: NotificationScheduling {
    private let center = UNUserNotificationCenter.current()

    public init() {}

    /// Waits for a completion handler's answer (the core's callers are off the main thread).
    private func wait<T>(_ body: (@escaping (T) -> Void) -> Void) -> T {
        let done = DispatchSemaphore(value: 0)
        var out: T?
        body { value in
            out = value
            done.signal()
        }
        done.wait()
        return out!
    }

    public func pending() -> [ScheduledNotification] {
        let requests: [UNNotificationRequest] = wait { center.getPendingNotificationRequests(completionHandler: $0) }
        return requests.compactMap { r in
            guard let fingerprint = r.content.userInfo["fingerprint"] as? String else { return nil }
            return ScheduledNotification(key: r.identifier, fingerprint: fingerprint)
        }
    }

    public func schedule(_ request: Request) {
        let content = UNMutableNotificationContent()
        content.title = request.title
        content.body = request.body
        content.threadIdentifier = request.thread
        content.userInfo = request.userInfo
        content.sound = .default
        if let category = request.category { content.categoryIdentifier = category }
        // Doses and safety alerts break through Focus; critical alerts need Apple's entitlement.
        content.interruptionLevel = request.importance == .normal ? .active : .timeSensitive
        let seconds = max(1, request.fireAt.timeIntervalSince(App.clock()))
        let trigger = UNTimeIntervalNotificationTrigger(timeInterval: seconds, repeats: false)
        center.add(UNNotificationRequest(identifier: request.key, content: content, trigger: trigger))
    }

    public func remove(_ keys: [String]) {
        center.removePendingNotificationRequests(withIdentifiers: keys)
    }

    public func replace(_ carried: Carried, text: String) {
        let content = UNMutableNotificationContent()
        content.title = carried.title
        content.body = text
        content.threadIdentifier = carried.thread
        center.add(UNNotificationRequest(identifier: carried.key, content: content, trigger: nil))
    }

    public func withdraw(_ key: String) {
        center.removeDeliveredNotifications(withIdentifiers: [key])
    }

    public func label(_ words: Words) {
        center.setNotificationCategories(Notifications.categories(words))
    }
}
