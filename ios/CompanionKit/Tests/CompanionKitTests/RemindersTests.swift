import XCTest
@testable import CompanionKit

/// Reminders on time, through the generated bindings and the core: what is pending is the
/// core's device plan; a changed dose time moves only its requests; lost requests and a new
/// zone plan again; without background refresh the fallback is used and said; the dose buttons
/// log through the core. Mirrors the Android app's RemindersTest, scenario for scenario.
final class RemindersTests: AppTestCase {
    var record: HealthRecord!

    override func setUpWithError() throws {
        try super.setUpWithError()
        // Three days ago, so that a planned dose can be logged at its time (the core refuses
        // what is dated in the future).
        now = Date().addingTimeInterval(-3 * 86400)
        record = try App.openDevice().create(profile: try defaultProfile(name: "Mei", homeTimeZone: zone))
        for m in [metformin, amlodipine, atorvastatin] { try record.addMedication(medication: m) }
    }

    private func plan() throws -> [DeviceNotification] {
        try App.openDevice().planNotifications(
            now: App.now(), deviceZone: zone, horizonHours: Reminders.horizonHours, max: Reminders.maxPending)
    }

    func test_theAlarmsSetAreTheCoresPlanAndAChangedDoseTimeMovesOnlyItsOwn() throws {
        now = Date()
        try Reminders().replan()
        let planned = try plan()
        XCTAssertGreaterThanOrEqual(planned.count, 8, "two days of four dose times")
        XCTAssertEqual(planned.map { $0.key }, center.requests.map { $0.key })
        // Nothing changed: nothing is set again.
        XCTAssertEqual(try Reminders().replan(), Reminders.Applied(removed: [], added: []))

        // Atorvastatin moves from 21:00 to 22:00: only its requests change.
        var moved = atorvastatin
        moved.schedule = .fixedTimes(times: ["22:00"])
        try record.updateMedication(medication: moved)
        let applied = try Reminders().replan()
        XCTAssertFalse(applied.added.isEmpty || applied.removed.isEmpty)
        let byKey = Dictionary(try plan().map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for key in applied.added {
            XCTAssertTrue(byKey[key]!.notification.doses.allSatisfy { $0.medicationId == atorvastatin.id }, key)
        }
        for key in applied.removed { XCTAssertNil(byKey[key], "\(key) is no longer planned") }
        XCTAssertEqual(try plan().map { $0.key }, center.requests.map { $0.key })
    }

    func test_aRebootAndANewZonePlanAgainThroughTheManifestsReceiver() throws {
        try Reminders().replan()
        let count = center.requests.count
        // Restored on a new phone: nothing is pending; the launch plans again.
        center.forgetAll()
        try Reminders().zoneChanged()
        XCTAssertEqual(count, center.requests.count)

        // The phone lands in Berlin: the zone is recorded, and the doses follow local time.
        zone = "Europe/Berlin"
        try Reminders().zoneChanged()
        XCTAssertEqual("Europe/Berlin", try record.zoneHistory().last?.zone)
        XCTAssertEqual(try plan().compactMap { instant($0.notification.fireAt) }, center.requests.map { $0.fireAt })
    }

    func test_withoutExactAlarmsTheFallbackIsUsedAndSaid() throws {
        // iOS has no exact-alarm permission: its fallback is sharing's. Without Background App
        // Refresh what others log arrives while the app is open; the reminders stand all the
        // same, and the settings screen says so and opens where to change it.
        let permissions = TestPermissions()
        permissions.refresh = false
        try Reminders().replan()
        XCTAssertFalse(center.requests.isEmpty)
        let settings = SettingsScreen(permissions: permissions, defaults: defaults, words: words("en"))
        XCTAssertTrue(settings.texts.contains { $0.hasPrefix("Background App Refresh is off") }, "\(settings.texts)")
        settings.click("Open Settings")
        XCTAssertEqual(1, permissions.opened)
        permissions.refresh = true
        settings.render()
        XCTAssertTrue(settings.texts.contains("Background App Refresh is on."))
    }

    /// The first dose request, delivered a minute after its time.
    private func deliverFirstDose() throws -> Request {
        try Reminders().replan()
        let first = center.requests.first { $0.kind == .dose }!
        now = first.fireAt.addingTimeInterval(60)
        center.deliver(first)
        return first
    }

    func test_takenFromTheNotificationLogsTheDoseAndASecondTakenSaysWhoTookItWhen() throws {
        let dose = try deliverFirstDose()
        XCTAssertEqual(Notifications.doseCategory, dose.category)
        XCTAssertEqual([.take, .snooze, .skip], dose.actions)
        func missedReminders() -> [Request] {
            center.requests.filter { $0.kind == .missedDose && $0.scheduledAt == dose.scheduledAt && $0.medications == dose.medications }
        }
        XCTAssertFalse(missedReminders().isEmpty, "a missed-dose reminder waits for this dose")
        let actions = DoseActions(center: center, words: Words(code: "en"))
        XCTAssertEqual(.logged, actions.act(dose.userInfo, action: NotificationAction.take.identifier))
        XCTAssertTrue(missedReminders().isEmpty, "taken: its missed-dose reminder is removed")
        XCTAssertEqual([.taken], try record.doses(medicationId: nil, from: nil, to: nil).map { $0.status })
        XCTAssertNil(center.shown[dose.key], "the notification is taken away")

        // Pressed again: refused, with when.
        guard case .refused(let said) = actions.act(dose.userInfo, action: NotificationAction.take.identifier) else {
            return XCTFail("a second take is refused")
        }
        XCTAssertEqual(1, try record.doses(medicationId: nil, from: nil, to: nil).count)
        XCTAssertTrue(said.hasPrefix("Already logged as taken at "), said)
        XCTAssertEqual(said, center.shown[dose.key])
    }

    func test_aDoseAnotherMemberLoggedIsRefusedWithWhoAndWhen() throws {
        let dose = try deliverFirstDose()
        let at = now.addingTimeInterval(-30)
        let format = ISO8601DateFormatter()
        format.timeZone = TimeZone(identifier: zone)
        try record.logDose(dose: DoseEvent(
            id: newId(), medicationId: dose.medications[0], scheduledAt: dose.scheduledAt[0], status: .taken,
            at: format.string(from: at), loggedBy: "Li", confirmedOverLimit: false))
        let outcome = DoseActions(center: center, words: Words(code: "en")).act(dose.userInfo, action: NotificationAction.take.identifier)
        XCTAssertEqual(1, try record.doses(medicationId: nil, from: nil, to: nil).count)
        let clock = DateFormatter()
        clock.dateFormat = "HH:mm"
        clock.timeZone = TimeZone(identifier: zone)
        XCTAssertEqual(.refused("Already logged as taken at \(clock.string(from: at)) by Li"), outcome)
    }

    func test_snoozeBringsTheDoseBackAfterItsMinutes() throws {
        let dose = try deliverFirstDose()
        let pressedAt = now
        DoseActions(center: center, words: Words(code: "en")).act(dose.userInfo, action: NotificationAction.snooze.identifier)
        XCTAssertEqual([.snoozed], try record.doses(medicationId: nil, from: nil, to: nil).map { $0.status })
        let back = pressedAt.addingTimeInterval(TimeInterval(DoseActions.snoozeMinutes * 60))
        XCTAssertTrue(center.requests.contains { abs($0.fireAt.timeIntervalSince(back)) < 60 },
                      "a request \(DoseActions.snoozeMinutes) minutes later")
    }
}
