package org.companion.android

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import org.companion.core.KeyStore
import org.companion.core.KeyStoreFailure

/**
 * The core's key store over the Android Keystore: each secret (a record file's key, a
 * record's device and record keys) is sealed with AES-256-GCM under one non-exportable key
 * that lives in the Keystore (in hardware where the phone has it) and never leaves it; the
 * sealed bytes are kept in the app's private preferences, excluded from backups.
 *
 * Kept small on purpose: the Android Keystore does not exist under Robolectric, so this class
 * is verified on a device only; the app's tests use a double of [KeyStore].
 */
class AndroidKeys(context: Context) : KeyStore {
    private val prefs = context.getSharedPreferences("companion-keys", Context.MODE_PRIVATE)

    private fun wrappingKey(): SecretKey {
        val keystore = java.security.KeyStore.getInstance("AndroidKeyStore").apply { load(null) }
        (keystore.getKey(ALIAS, null) as? SecretKey)?.let { return it }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore")
        generator.init(
            KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return generator.generateKey()
    }

    private fun <T> guarded(what: String, block: () -> T): T = try {
        block()
    } catch (e: KeyStoreFailure) {
        throw e
    } catch (e: Exception) {
        // The phone locked, the key invalidated, the Keystore refused: no secret in the text.
        throw KeyStoreFailure.Unavailable("$what: ${e.javaClass.simpleName}")
    }

    override fun get(name: String): ByteArray? = guarded("read") {
        val stored = prefs.getString(name, null) ?: return@guarded null
        val bytes = Base64.decode(stored, Base64.NO_WRAP)
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, wrappingKey(), GCMParameterSpec(128, bytes, 0, IV_LEN))
        cipher.updateAAD(name.toByteArray())
        cipher.doFinal(bytes, IV_LEN, bytes.size - IV_LEN)
    }

    override fun put(name: String, secret: ByteArray) = guarded("write") {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, wrappingKey())
        cipher.updateAAD(name.toByteArray())
        val sealed = cipher.iv + cipher.doFinal(secret)
        // commit(), not apply(): the core goes on only once the secret is durable.
        check(prefs.edit().putString(name, Base64.encodeToString(sealed, Base64.NO_WRAP)).commit())
    }

    override fun delete(name: String) = guarded("delete") {
        check(prefs.edit().remove(name).commit())
    }

    private companion object {
        const val ALIAS = "companion-wrapping-key"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_LEN = 12
    }
}
