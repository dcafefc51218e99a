package org.companion.core

import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** The record file is encrypted under a key kept in the shell's key store, through the FFI. */
class KeyStoreTest {
    private lateinit var dir: Path

    @BeforeTest
    fun setUp() {
        dir = Files.createTempDirectory("companion-kt-keys")
    }

    @AfterTest
    fun tearDown() {
        dir.toFile().deleteRecursively()
    }

    private fun contains(file: Path, marker: String): Boolean =
        Files.exists(file) && String(Files.readAllBytes(file), Charsets.ISO_8859_1).contains(marker)

    @Test
    fun theFileHoldsNoPatientTextAndACopyOpensNothingElsewhere() {
        val phone = Files.createDirectories(dir.resolve("phone"))
        val path = phone.resolve("r.db").toString()
        val keys = TestKeyStore()
        HealthRecord.create(path, keys, defaultProfile("Marker-Mei-Ling", "Asia/Shanghai")).use { record ->
            record.addJournalEntry(JournalEntry(newId(), "2026-11-23T21:00:00+08:00", "marker-dizzy-after-lunch", 3u, emptyList(), null, false))
        }
        for (suffix in listOf("", "-wal", "-shm")) {
            val file = Path.of(path + suffix)
            assertFalse(contains(file, "marker-dizzy-after-lunch"), "journal text in $file")
            assertFalse(contains(file, "Marker-Mei-Ling"), "profile name in $file")
        }
        assertTrue(keys.names().any { it.endsWith("/file") }, "the file key is in the key store")
        assertTrue(keys.names().none { it.contains("Marker") })
        HealthRecord.open(path, keys).use { assertEquals(1, it.journal(null, null).size) }

        // The file copied to another device, which has a key store of its own.
        val other = Files.createDirectories(dir.resolve("other"))
        val copy = other.resolve("r.db")
        Files.copy(Path.of(path), copy)
        val before = Files.readAllBytes(copy)
        assertFailsWith<CompanionException.NoKeyForRecord> { HealthRecord.open(copy.toString(), TestKeyStore()) }
        assertTrue(before.contentEquals(Files.readAllBytes(copy)), "the copy is left as it was")
    }

    @Test
    fun aLockedKeyStoreIsATypedErrorAndNoFileIsLeftBroken() {
        val keys = TestKeyStore()
        val path = dir.resolve("r.db").toString()
        HealthRecord.create(path, keys, defaultProfile("Ana", "Europe/Berlin")).close()
        keys.locked = true
        assertFailsWith<CompanionException.KeyStoreUnavailable> { HealthRecord.open(path, keys) }
        assertFailsWith<CompanionException.KeyStoreUnavailable> {
            HealthRecord.create(dir.resolve("new.db").toString(), keys, defaultProfile("Ana", "Europe/Berlin"))
        }
        keys.locked = false
        HealthRecord.open(path, keys).use { assertEquals("Ana", it.profile().name) }
    }

    @Test
    fun aRekeyedRecordKeepsItsEntriesAndItsOldFileOpensNoMore() {
        val keys = TestKeyStore()
        val device = Device.open(dir.resolve("phone").toString(), keys)
        val record = device.create(defaultProfile("Ana", "Europe/Berlin"))
        record.addJournalEntry(JournalEntry(newId(), "2026-11-23T21:00:00+08:00", "slept well", 4u, emptyList(), null, false))
        assertFailsWith<CompanionException.Storage> { device.rekey(null) }
        record.close()
        val file = Files.list(dir.resolve("phone").resolve("records")).use { s -> s.filter { it.toString().endsWith(".db") }.findFirst().get() }
        val before = Files.readAllBytes(file)
        device.rekey("Ana")
        assertEquals(1, device.openRecord(null).use { it.journal(null, null).size })
        Files.write(file, before)
        Files.deleteIfExists(Path.of("$file-wal"))
        assertFailsWith<CompanionException.NoKeyForRecord> { device.openRecord(null) }
    }
}
