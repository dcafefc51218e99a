import Foundation
@_exported import CompanionCore

/// The app's one `Device`: the records this phone holds, opened once per process in the app's
/// private, non-backed-up Application Support directory. The key store, the clock, the
/// notification center, the background scheduler and the transport can be replaced (tests: a
/// key store double, a fixed clock, a recording notification center).
public enum App {
    private static let lock = NSLock()
    private static var device: Device?

    /// Makes the key store the device's secrets live in.
    public static var keyStore: () -> KeyStore = { KeychainKeys() }

    /// Now.
    public static var clock: () -> Date = { Date() }

    /// The phone's time zone now (IANA name).
    public static var zone: () -> String = { TimeZone.current.identifier }

    /// Where the device's files live.
    public static var directory: () -> URL = {
        let base = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        var dir = base.appendingPathComponent("companion", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try? dir.setResourceValues(values)
        return dir
    }

    /// Schedules and lists pending notifications.
    public static var center: () -> NotificationScheduling = { SystemNotificationCenter() }

    /// The relay transport.
    public static var transport: () -> RelayTransport = { URLSessionTransport() }

    /// The device, opened on first use.
    public static func openDevice() throws -> Device {
        lock.lock()
        defer { lock.unlock() }
        if let device { return device }
        let opened = try Device.open(dir: directory().path, keyStore: keyStore())
        device = opened
        return opened
    }

    /// Forgets the open device (a test's fresh start).
    public static func reset() {
        lock.lock()
        defer { lock.unlock() }
        device = nil
    }

    /// Now, as the core takes it (RFC 3339, UTC).
    public static func now() -> String {
        rfc3339(clock())
    }

    /// Now with the phone's offset (what a dose or a reading is dated with).
    public static func nowHere() -> String {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime]
        format.timeZone = TimeZone(identifier: zone()) ?? .current
        return format.string(from: clock())
    }
}

/// `date` in RFC 3339, UTC.
public func rfc3339(_ date: Date) -> String {
    let format = ISO8601DateFormatter()
    format.formatOptions = [.withInternetDateTime]
    return format.string(from: date)
}

/// The instant an RFC 3339 text names, with or without fractions of a second.
public func instant(_ text: String) -> Date? {
    let format = ISO8601DateFormatter()
    format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = format.date(from: text) { return date }
    format.formatOptions = [.withInternetDateTime]
    return format.date(from: text)
}
