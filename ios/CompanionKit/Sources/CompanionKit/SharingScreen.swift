import Foundation

/// Sharing: the members with their names and roles (the owner removes one), an invite shown as
/// a QR code and as text once the owner confirmed what the role may see and do (the core's
/// statement), and joining another record by its code. Network calls run off the main thread
/// (`Screen.io`) and come back to it (`Screen.main`).
public final class SharingScreen: Screen {
    /// Runs network work (tests: at once).
    public static var io: (@escaping () -> Void) -> Void = { DispatchQueue.global(qos: .userInitiated).async(execute: $0) }
    /// Comes back to the main thread (tests: at once).
    public static var main: (@escaping () -> Void) -> Void = { DispatchQueue.main.async(execute: $0) }

    private var role: Role = .caregiver
    private var pending: String?
    /// The last invite issued here (its code).
    public private(set) var issued: String?

    override public func build(_ record: HealthRecord) {
        heading(words.sharing)
        let shared = (try? record.isShared()) ?? false
        let members = shared ? (try? record.members()) : nil
        let owner = members.map { $0.role == .owner } ?? true
        if let members {
            heading(words.members)
            for m in members.members where m.removed == nil {
                let by = m.invitedByName.map { " · " + words.invitedBy($0) } ?? ""
                text("\(m.name ?? String(m.device.prefix(8))) · \(words.role(m.role))\(by)")
                if owner && !m.thisDevice {
                    button(words.remove) { [unowned self] in
                        self.network({ _ = try record.removeMember(device: m.device, transport: App.transport()) }) { _ in self.render() }
                    }
                }
            }
        }
        if owner {
            heading(words.invite)
            for r in [Role.caregiver, .clinician, .viewer] {
                choice(words.role(r), chosen: r == role) { [unowned self] in
                    self.role = r
                    self.render()
                }
            }
            field(words.inviteName)
            if !shared { field(words.relay) }
            if let statement = pending {
                // What the role may see and do, said before anything is shared.
                text(statement)
                button(words.confirm) { [unowned self] in
                    let who = self.value(self.words.inviteName)
                    let relay = self.value(self.words.relay)
                    self.pending = nil
                    self.network({
                        try record.invite(role: self.role, name: who.isEmpty ? nil : who, validHours: 72,
                                          relay: relay.isEmpty ? nil : relay, transport: App.transport())
                    }) { info in
                        self.issued = info.code
                        self.render()
                        self.text(self.words.inviteCode(info.code))
                        self.qr(info.qrPayload)
                    }
                }
                button(words.cancel) { [unowned self] in
                    self.pending = nil
                    self.render()
                }
            } else {
                button(words.invite) { [unowned self] in
                    if self.attempt({ self.pending = try record.inviteStatement(role: self.role) }) { self.render() }
                }
            }
        }
        field(words.joinCode)
        button(words.join) { [unowned self] in
            let code = self.value(self.words.joinCode)
            self.network({ _ = try App.openDevice().join(code: code, name: nil, transport: App.transport(), progress: nil) }) { _ in
                self.render()
            }
        }
    }

    /// Runs `call` off the main thread, then `then` on it; a refusal is said on the screen.
    private func network<T>(_ call: @escaping () throws -> T, then: @escaping (T) -> Void) {
        Self.io {
            let result = Result { try call() }
            Self.main {
                switch result {
                case .success(let value): then(value)
                case .failure(let error): self.text(self.words.failed(error.localizedDescription))
                }
            }
        }
    }
}

/// What the settings screen needs of the system; the tests' double says what it is asked.
public protocol Permissions {
    /// Whether the app may show notifications.
    func notificationsAllowed() -> Bool
    /// Whether Background App Refresh is on for the app.
    func backgroundRefreshOn() -> Bool
    /// Asks the person to allow notifications (the system's prompt, once; then Settings).
    func requestNotifications()
    /// Opens the app's page in Settings.
    func openSettings()
}

/// Notifications, background refresh, language: what makes reminders and sharing reliable,
/// and where to fix it.
public final class SettingsScreen: Screen {
    private let permissions: Permissions
    private let defaults: UserDefaults

    public init(permissions: Permissions, defaults: UserDefaults = .standard, words: Words? = nil) {
        self.permissions = permissions
        self.defaults = defaults
        super.init(words: words ?? Words.current(defaults))
    }

    override public func build(_ record: HealthRecord) {
        heading(words.settings)
        if permissions.notificationsAllowed() {
            text(words.notificationsOk)
        } else {
            text(words.notificationsOff)
            button(words.allowNotifications) { [unowned self] in self.permissions.requestNotifications() }
        }
        if permissions.backgroundRefreshOn() {
            text(words.refreshOk)
        } else {
            text(words.refreshOff)
            button(words.openSettings) { [unowned self] in self.permissions.openSettings() }
        }
        let follows = Words.followsPhone(defaults)
        text(follows ? words.languageIs(words.languageName) : words.languageChosen(words.languageName))
        for (label, code) in [("English", "en"), ("简体中文", "zh-Hans"), (words.followPhone, nil)] as [(String, String?)] {
            button(label) { [unowned self] in
                Words.choose(code, self.defaults)
                let words = Words.current(self.defaults)
                // The notifications' own texts are the core's, in the record's language: only
                // the dose buttons' titles are the app's.
                App.center().label(words)
                self.use(words)
            }
        }
    }
}
