import CompanionKit
import CoreImage.CIFilterBuiltins
import SwiftUI

/// Draws any screen's items, in order: headings, texts, fields bound to what the screen
/// reads, buttons and choices that run the screen's actions, and a QR code. The screens'
/// content and rules are in CompanionKit and the core; this only draws.
struct ScreenView: View {
    @ObservedObject var screen: Screen

    var body: some View {
        List {
            ForEach(Array(screen.items.enumerated()), id: \.offset) { position, item in
                row(position, item)
            }
        }
        .onAppear { screen.render() }
        .navigationDestination(isPresented: Binding(get: { screen.next != nil }, set: { if !$0 { screen.next = nil } })) {
            destination(screen.next)
        }
    }

    @ViewBuilder
    private func row(_ position: Int, _ item: ScreenItem) -> some View {
        switch item {
        case .heading(let s):
            Text(s).font(.title3).bold()
        case .text(let s):
            Text(s)
        case .button(let label):
            Button(label) { screen.press(position) }
        case .field(let hint, let number):
            TextField(hint, text: Binding(get: { screen.typed[hint] ?? "" }, set: { screen.type(hint, $0) }))
                .keyboardType(number ? .decimalPad : .default)
        case .choice(let label, let chosen):
            Button { screen.press(position) } label: {
                Label(label, systemImage: chosen ? "largecircle.fill.circle" : "circle")
            }
        case .qr(let payload):
            qr(payload).map { Image(uiImage: $0).interpolation(.none).resizable().scaledToFit().frame(maxWidth: 260) }
        }
    }

    @ViewBuilder
    private func destination(_ next: Destination?) -> some View {
        let record = screen.record?.id()
        switch next {
        case .reading: ScreenView(screen: ReadingScreen(record: record))
        case .medications: ScreenView(screen: MedicationsScreen(record: record))
        case .journal: ScreenView(screen: JournalScreen(record: record))
        case .sharing: ScreenView(screen: SharingScreen(record: record))
        case .settings: ScreenView(screen: SettingsScreen(permissions: SystemPermissions()))
        case nil: EmptyView()
        }
    }

    /// The QR code of `payload`, by Core Image's generator.
    private func qr(_ payload: String) -> UIImage? {
        let filter = CIFilter.qrCodeGenerator()
        filter.message = Data(payload.utf8)
        filter.correctionLevel = "M"
        guard let image = filter.outputImage?.transformed(by: CGAffineTransform(scaleX: 8, y: 8)),
              let cg = CIContext().createCGImage(image, from: image.extent) else { return nil }
        return UIImage(cgImage: cg)
    }
}
