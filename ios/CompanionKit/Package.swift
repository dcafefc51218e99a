// swift-tools-version:5.9
// CompanionKit: the core for iOS. `CompanionCoreFFI` is the core built as an XCFramework and
// `CompanionCore` its Swift bindings, both made by ../build-xcframework.sh (the bindings by
// ../generate-bindings.sh with the project's pinned uniffi-bindgen; neither is committed).
// `CompanionKit` holds the thin adapters the app needs: the Keychain key store, the relay
// transport over URLSession, the notification scheduler and its actions, background sync,
// and the screens' content. Every rule is the core's.
import PackageDescription

let package = Package(
    name: "CompanionKit",
    defaultLocalization: "en",
    platforms: [.iOS(.v16)],
    products: [
        .library(name: "CompanionKit", targets: ["CompanionKit"]),
    ],
    targets: [
        .binaryTarget(name: "CompanionCoreFFI", path: "CompanionCoreFFI.xcframework"),
        .target(name: "CompanionCore", dependencies: ["CompanionCoreFFI"]),
        .target(
            name: "CompanionKit",
            dependencies: ["CompanionCore"],
            resources: [.process("Resources")]
        ),
        .testTarget(name: "CompanionKitTests", dependencies: ["CompanionKit"]),
    ]
)
