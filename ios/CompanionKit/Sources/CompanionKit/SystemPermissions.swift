import UIKit
import UserNotifications

/// The phone's answers for the settings screen.
public struct SystemPermissions: Permissions {
    public init() {}

    public func notificationsAllowed() -> Bool {
        let done = DispatchSemaphore(value: 0)
        var allowed = false
        UNUserNotificationCenter.current().getNotificationSettings { settings in
            allowed = settings.authorizationStatus == .authorized || settings.authorizationStatus == .provisional
            done.signal()
        }
        done.wait()
        return allowed
    }

    public func backgroundRefreshOn() -> Bool {
        UIApplication.shared.backgroundRefreshStatus == .available
    }

    public func requestNotifications() {
        UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge]) { _, _ in }
    }

    public func openSettings() {
        if let url = URL(string: UIApplication.openSettingsURLString) {
            UIApplication.shared.open(url)
        }
    }
}
