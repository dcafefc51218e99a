import BackgroundTasks
import CompanionKit
import SwiftUI
import UserNotifications

/// The app: Today first, every other screen from it. The delegate registers the background
/// refresh, the dose buttons and the notification delegate before launch ends, plans again on
/// every launch and when the zone or the clock changes.
@main
struct CompanionApp: SwiftUI.App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate

    var body: some Scene {
        WindowGroup {
            NavigationStack { ScreenView(screen: TodayScreen()) }
        }
    }
}

final class AppDelegate: NSObject, UIApplicationDelegate, UNUserNotificationCenterDelegate {
    func application(
        _ application: UIApplication,
        didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil
    ) -> Bool {
        let center = UNUserNotificationCenter.current()
        center.delegate = self
        CompanionKit.App.center().label(Words.current())
        center.requestAuthorization(options: [.alert, .sound, .badge]) { _, _ in }
        Background.shared.register()
        Background.shared.scheduleNext()
        let changes = NotificationCenter.default
        _ = changes.addObserver(forName: .NSSystemTimeZoneDidChange, object: nil, queue: nil) { _ in
            DispatchQueue.global().async { try? Reminders().zoneChanged() }
        }
        _ = changes.addObserver(forName: UIApplication.significantTimeChangeNotification, object: nil, queue: nil) { _ in
            DispatchQueue.global().async { _ = try? Reminders().replan(lost: true) }
        }
        // Re-arm on every launch: what is pending is diffed against the core's plan.
        DispatchQueue.global().async { _ = try? Reminders().zoneChanged() }
        return true
    }

    /// A button pressed on a notification: carried out in the background, without opening
    /// the app (the actions have no `.foreground` option).
    func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        didReceive response: UNNotificationResponse,
        withCompletionHandler completionHandler: @escaping () -> Void
    ) {
        let info = response.notification.request.content.userInfo
        let action = response.actionIdentifier
        DispatchQueue.global().async {
            if action != UNNotificationDefaultActionIdentifier && action != UNNotificationDismissActionIdentifier {
                DoseActions().act(info, action: action)
            }
            completionHandler()
        }
    }

    /// A notification due while the app is open is shown all the same.
    func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        willPresent notification: UNNotification,
        withCompletionHandler completionHandler: @escaping (UNNotificationPresentationOptions) -> Void
    ) {
        completionHandler([.banner, .sound, .list])
    }
}
