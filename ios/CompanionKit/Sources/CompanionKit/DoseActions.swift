import Foundation

/// What a button on a dose notification does, in the background without opening the app: the
/// doses it is about are logged through the core (whose rules refuse what they refuse: a
/// second take says who took it and when), the notification is taken away or says why nothing
/// was logged, and the reminders are planned again (a snoozed dose comes back at its time).
public struct DoseActions {
    /// How long Snooze puts a dose off.
    public static let snoozeMinutes = 10

    /// What happened.
    public enum Outcome: Equatable {
        /// Every dose was logged.
        case logged
        /// Nothing more was logged: the text is what the notification says now.
        case refused(String)
    }

    private let center: NotificationScheduling
    private let words: Words

    public init(center: NotificationScheduling = App.center(), words: Words = Words.current()) {
        self.center = center
        self.words = words
    }

    /// Carries out the button `action` (a `NotificationAction` identifier) for the
    /// notification whose payload is `info`.
    @discardableResult
    public func act(_ info: [AnyHashable: Any], action: String) -> Outcome {
        guard let carried = Carried(info) else { return .refused(words.refused("?")) }
        let status: DoseStatus
        switch action {
        case NotificationAction.take.identifier: status = .taken
        case NotificationAction.snooze.identifier: status = .snoozed
        case NotificationAction.skip.identifier: status = .skipped
        default: return .refused(words.refused(action))
        }
        let at = App.nowHere()
        let until: String? = status == .snoozed
            ? rfc3339(App.clock().addingTimeInterval(TimeInterval(Self.snoozeMinutes * 60)))
            : nil
        let outcome: Outcome
        do {
            let record = try App.openDevice().openRecord(which: carried.record)
            for (medication, scheduled) in zip(carried.medications, carried.scheduledAt) {
                try record.logDose(dose: DoseEvent(
                    id: newId(), medicationId: medication, scheduledAt: scheduled, status: status,
                    at: at, snoozedUntil: until, confirmedOverLimit: false))
            }
            outcome = .logged
        } catch let CompanionError.DoseAlreadyTaken(loggedBy, at) {
            outcome = .refused(words.alreadyTaken(time: words.clock(at), by: loggedBy))
        } catch {
            outcome = .refused(words.refused(error.localizedDescription))
        }
        switch outcome {
        case .logged: center.withdraw(carried.key)
        case .refused(let text): center.replace(carried, text: text)
        }
        _ = try? Reminders(center: center).replan()
        return outcome
    }
}
