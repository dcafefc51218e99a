import Foundation
import Security

/// The core's key store over the Keychain: each secret (a record file's key, a record's device
/// and record keys) is a generic password of this app, readable after the phone's first unlock
/// and never leaving this device (kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly: not in
/// backups, not synced to iCloud Keychain), so a copied file opens nowhere else. Verified on a
/// device only: the tests use a double of `KeyStore`.
public final class KeychainKeys: KeyStore, @unchecked Sendable {
    private let service: String

    public init(service: String = "org.companion.keys") {
        self.service = service
    }

    private func query(_ name: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: name,
        ]
    }

    private func failure(_ what: String, _ status: OSStatus) -> KeyStoreFailure {
        // The status code only: no secret, no name.
        KeyStoreFailure.Unavailable(reason: "\(what): OSStatus \(status)")
    }

    public func get(name: String) throws -> Data? {
        var q = query(name)
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = item as? Data else { throw failure("read", status) }
        return data
    }

    public func put(name: String, secret: Data) throws {
        let update = [kSecValueData as String: secret] as CFDictionary
        var status = SecItemUpdate(query(name) as CFDictionary, update)
        if status == errSecItemNotFound {
            var q = query(name)
            q[kSecValueData as String] = secret
            q[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
            status = SecItemAdd(q as CFDictionary, nil)
        }
        guard status == errSecSuccess else { throw failure("write", status) }
    }

    public func delete(name: String) throws {
        let status = SecItemDelete(query(name) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw failure("delete", status) }
    }
}
