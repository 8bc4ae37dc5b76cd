/*
 * The key the core encrypts its store with (SQLCipher database, sealed attachment files):
 * 32 random bytes made once per installation. On disk (app-private files, excluded from
 * backups) it exists only wrapped with AES-256-GCM by a key that the Android Keystore makes
 * and never lets out (hardware-backed where the phone has it), so a copy of the phone's flash
 * (no file-based encryption on many Android 8-9 phones) does not open the store.
 */
package id.ceria.app.security

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import java.io.File
import java.security.KeyStore
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/** The store key, kept in [file] wrapped by the Keystore key [alias]. */
class DeviceKey(private val file: File, private val alias: String = "ceria-device-store") {

    /**
     * The store key: unwrapped from [file], or made and saved (before it is returned, so the
     * store is never encrypted with a key that is not saved).
     */
    @Synchronized
    fun get(): ByteArray {
        val wrapping = wrappingKey()
        if (file.exists()) {
            val saved = file.readBytes()
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, wrapping, GCMParameterSpec(128, saved, 0, IV_BYTES))
            return cipher.doFinal(saved, IV_BYTES, saved.size - IV_BYTES)
        }
        val key = ByteArray(32).also { SecureRandom().nextBytes(it) }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, wrapping) // the Keystore picks a fresh IV
        val wrapped = cipher.iv + cipher.doFinal(key)
        val tmp = File(file.parentFile, file.name + ".tmp")
        tmp.outputStream().use { it.write(wrapped); it.fd.sync() }
        check(tmp.renameTo(file)) { "cannot save the wrapped store key" }
        return key
    }

    private fun wrappingKey(): SecretKey {
        val store = KeyStore.getInstance(KEYSTORE).apply { load(null) }
        (store.getKey(alias, null) as? SecretKey)?.let { return it }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, KEYSTORE)
        generator.init(
            KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return generator.generateKey()
    }

    private companion object {
        const val KEYSTORE = "AndroidKeyStore"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
    }
}
