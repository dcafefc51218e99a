package org.companion.core

import java.nio.file.Path
import java.util.concurrent.ConcurrentHashMap

/**
 * The shell's key store, as a test double: secrets in memory (the Android Keystore does not
 * exist on the JVM). One per directory, so that each test directory is one device.
 */
class TestKeyStore : KeyStore {
    private val secrets = ConcurrentHashMap<String, ByteArray>()

    /** Set to make every call fail, as a locked phone would. */
    @Volatile var locked = false

    override fun get(name: String): ByteArray? {
        if (locked) throw KeyStoreFailure.Unavailable("locked")
        return secrets[name]
    }

    override fun put(name: String, secret: ByteArray) {
        if (locked) throw KeyStoreFailure.Unavailable("locked")
        secrets[name] = secret.copyOf()
    }

    override fun delete(name: String) {
        if (locked) throw KeyStoreFailure.Unavailable("locked")
        secrets.remove(name)
    }

    /** The names kept (never the secrets). */
    fun names(): Set<String> = secrets.keys.toSet()
}

private val stores = ConcurrentHashMap<String, TestKeyStore>()

/** The key store of the device whose directory holds `path`. */
fun keysOf(path: String): TestKeyStore =
    stores.getOrPut(Path.of(path).toAbsolutePath().parent.toString()) { TestKeyStore() }
