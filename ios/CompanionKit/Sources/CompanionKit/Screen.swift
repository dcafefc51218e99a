import Combine
import Foundation

/// One thing a screen shows, in order: the SwiftUI views draw these, the tests read them.
public enum ScreenItem: Equatable {
    case heading(String)
    case text(String)
    case button(String)
    /// A text field, by its hint.
    case field(String, number: Bool)
    /// One of several choices, and whether it is chosen.
    case choice(String, chosen: Bool)
    /// A QR code of the payload.
    case qr(String)

    /// What a button or a choice says.
    public var label: String? {
        switch self {
        case .button(let s), .choice(let s, _): return s
        default: return nil
        }
    }
}

/// The screens the app opens from Today.
public enum Destination: Equatable {
    case reading, medications, journal, sharing, settings
}

/// What every screen shares: its items built from the record anew on every change, the
/// fields typed (by hint), the buttons' actions (by label), the phone's words, and the record
/// it shows: the device's first (a patient's own; a caregiver's app opens on the patient's),
/// or the one named.
open class Screen: ObservableObject {
    @Published public private(set) var items: [ScreenItem] = []
    /// Where a button asked to go.
    @Published public var next: Destination?
    public private(set) var words: Words
    public let record: HealthRecord?
    /// The actions of the buttons and choices, by their item's position: each button does its
    /// own, though several say the same (a Taken for every dose due).
    private var actions: [Int: () -> Void] = [:]
    /// What was typed, by field hint.
    public var typed: [String: String] = [:]

    public init(record id: String? = nil, words: Words = Words.current()) {
        self.words = words
        var opened: HealthRecord?
        if let device = try? App.openDevice() {
            let which = id ?? (try? device.records())?.first { $0.problem == nil }?.id
            if let which { opened = try? device.openRecord(which: which) }
        }
        record = opened
        render()
    }

    /// Builds the screen from the record.
    open func build(_ record: HealthRecord) {}

    /// Builds it again (after an action changed the record or the words).
    public func render() {
        items = []
        actions = [:]
        if let record { build(record) } else { text(words.nothing) }
    }

    /// Changes the words (the language chosen) and builds again.
    public func use(_ words: Words) {
        self.words = words
        render()
    }

    public func heading(_ s: String) { items.append(.heading(s)) }
    public func text(_ s: String) { items.append(.text(s)) }
    public func qr(_ payload: String) { items.append(.qr(payload)) }

    public func button(_ label: String, _ action: @escaping () -> Void) {
        actions[items.count] = action
        items.append(.button(label))
    }

    public func choice(_ label: String, chosen: Bool, _ action: @escaping () -> Void) {
        actions[items.count] = action
        items.append(.choice(label, chosen: chosen))
    }

    /// A field; returns what is typed in it now (trimmed).
    @discardableResult
    public func field(_ hint: String, number: Bool = false) -> String {
        items.append(.field(hint, number: number))
        return (typed[hint] ?? "").trimmingCharacters(in: .whitespaces)
    }

    /// What was typed in the field `hint` (trimmed).
    public func value(_ hint: String) -> String {
        (typed[hint] ?? "").trimmingCharacters(in: .whitespaces)
    }

    /// Types `value` into the field `hint` (the view's binding; the tests).
    public func type(_ hint: String, _ value: String) { typed[hint] = value }

    /// Presses the button or choice at `position` in `items` (the view's buttons).
    public func press(_ position: Int) { actions[position]?() }

    /// Presses the first button or choice labelled `label` (the tests).
    public func click(_ label: String) {
        if let position = items.firstIndex(where: { $0.label == label }) { press(position) }
    }

    /// The headings and texts, in order.
    public var texts: [String] {
        items.compactMap {
            switch $0 {
            case .heading(let s), .text(let s): return s
            default: return nil
            }
        }
    }

    /// Runs `action`; a refusal is said on the screen in the core's words.
    @discardableResult
    public func attempt(_ action: () throws -> Void) -> Bool {
        do {
            try action()
            return true
        } catch {
            text(words.failed(error.localizedDescription))
            return false
        }
    }
}

/// `500 mg`, `1 tablet`, `2.5 ml`.
public func doseText(_ d: DoseAmount) -> String {
    let n = d.amount == d.amount.rounded() ? String(Int64(d.amount)) : String(d.amount)
    return "\(n) \(d.unit)"
}
