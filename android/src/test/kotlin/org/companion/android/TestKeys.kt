package org.companion.android

import java.util.concurrent.ConcurrentHashMap
import org.companion.core.KeyStore

/** The key store double: the Android Keystore does not exist under Robolectric. */
class TestKeys : KeyStore {
    private val secrets = ConcurrentHashMap<String, ByteArray>()

    override fun get(name: String): ByteArray? = secrets[name]

    override fun put(name: String, secret: ByteArray) {
        secrets[name] = secret.copyOf()
    }

    override fun delete(name: String) {
        secrets.remove(name)
    }
}
