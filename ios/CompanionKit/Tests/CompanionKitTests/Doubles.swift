import Foundation
import XCTest
@testable import CompanionKit

/// The key store double: the Keychain of a test bundle without an app host is not the app's.
final class TestKeys: KeyStore, @unchecked Sendable {
    private var secrets: [String: Data] = [:]
    private let lock = NSLock()

    func get(name: String) throws -> Data? { lock.withLock { secrets[name] } }
    func put(name: String, secret: Data) throws { lock.withLock { secrets[name] = secret } }
    func delete(name: String) throws { _ = lock.withLock { secrets.removeValue(forKey: name) } }
}

/// The notification center double: what is pending and what is shown, as the system would
/// keep them (one request per identifier; adding one replaces it).
final class RecordingCenter: NotificationScheduling {
    private(set) var pendingRequests: [String: Request] = [:]
    /// Delivered notifications: key to the text shown.
    private(set) var shown: [String: String] = [:]

    func pending() -> [ScheduledNotification] {
        pendingRequests.values.map { ScheduledNotification(key: $0.key, fingerprint: $0.fingerprint) }
    }
    func schedule(_ request: Request) { pendingRequests[request.key] = request }
    func remove(_ keys: [String]) { keys.forEach { pendingRequests.removeValue(forKey: $0) } }
    func replace(_ carried: Carried, text: String) { shown[carried.key] = text }
    func withdraw(_ key: String) { shown.removeValue(forKey: key) }
    /// The language the dose buttons were last titled in.
    private(set) var buttonsIn: String?
    func label(_ words: Words) { buttonsIn = words.code }

    /// The system forgets every pending request (the app restored on a new phone).
    func forgetAll() { pendingRequests = [:] }

    /// The pending requests, soonest first.
    var requests: [Request] { pendingRequests.values.sorted { ($0.fireAt, $0.key) < ($1.fireAt, $1.key) } }

    /// Delivers the request: its text is shown.
    func deliver(_ r: Request) {
        pendingRequests.removeValue(forKey: r.key)
        shown[r.key] = r.body
    }
}

/// The background scheduler double.
final class RecordingScheduler: BackgroundScheduling {
    private(set) var submitted: [(String, Date)] = []
    func submit(identifier: String, earliest: Date) throws { submitted.append((identifier, earliest)) }
}

/// The phone's permissions, as a test sets them.
final class TestPermissions: Permissions {
    var notifications = true
    var refresh = true
    private(set) var asked = 0
    private(set) var opened = 0
    func notificationsAllowed() -> Bool { notifications }
    func backgroundRefreshOn() -> Bool { refresh }
    func requestNotifications() { asked += 1 }
    func openSettings() { opened += 1 }
}

/// A real relay on loopback: the CLI's `companion serve --open`, started by ios/test.sh (the
/// simulator cannot start processes) and named by COMPANION_RELAY_URL; a directory of the
/// test's own holds the other devices of the test.
final class TestRelay {
    let dir: URL
    let url: String

    init() throws {
        guard let url = ProcessInfo.processInfo.environment["COMPANION_RELAY_URL"] else {
            throw XCTSkip("COMPANION_RELAY_URL names the relay the sharing tests use (ios/test.sh starts one)")
        }
        self.url = url
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("companion-ios-relay-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func close() {
        try? FileManager.default.removeItem(at: dir)
    }
}

/// The app's state for a test: a fresh device directory, the doubles, a clock and a zone.
class AppTestCase: XCTestCase {
    var center = RecordingCenter()
    var keys = TestKeys()
    var now = Date()
    var zone = "Asia/Shanghai"
    var dir: URL!
    var defaults: UserDefaults!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("companion-ios-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defaults = UserDefaults(suiteName: "companion-tests-\(UUID())")
        Words.choose("en", defaults)
        App.reset()
        Background.shared.reset()
        App.keyStore = { [unowned self] in self.keys }
        App.clock = { [unowned self] in self.now }
        App.zone = { [unowned self] in self.zone }
        App.directory = { [unowned self] in self.dir }
        App.center = { [unowned self] in self.center }
        SharingScreen.io = { $0() }
        SharingScreen.main = { $0() }
    }

    override func tearDown() {
        Background.shared.reset()
        App.reset()
        try? FileManager.default.removeItem(at: dir)
    }

    func medication(_ name: String, _ times: [String], recordedDaysAgo: Double = 1) -> Medication {
        Medication(
            id: newId(), name: name, form: .tablet, dose: try! parseDose(text: "1 tablet"), start: "2026-01-01",
            status: .active, refillDaysAhead: 3, recordedAt: rfc3339(now.addingTimeInterval(-recordedDaysAgo * 86400)),
            schedule: .fixedTimes(times: times), timeZone: .local, graceMinutes: 60, lateDose: .halfInterval)
    }

    /// The three medications of the reminder scenarios, as the Android tests have them.
    lazy var metformin = medication("Metformin", ["08:00", "20:00"])
    lazy var amlodipine = medication("Amlodipine", ["07:00"])
    lazy var atorvastatin = medication("Atorvastatin", ["21:00"])

    /// The words in `code`, for the screens of a test.
    func words(_ code: String) -> Words {
        Words.choose(code, defaults)
        return Words(code: code)
    }
}
