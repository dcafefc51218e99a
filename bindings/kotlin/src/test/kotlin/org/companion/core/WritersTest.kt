package org.companion.core

import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** Refusals that leave files as they were, and a record that checks itself, through the FFI. */
class WritersTest {
    private lateinit var dir: Path

    @BeforeTest
    fun setUp() {
        dir = Files.createTempDirectory("companion-kt-writers")
    }

    @AfterTest
    fun tearDown() {
        dir.toFile().deleteRecursively()
    }

    @Test
    fun aFileThatIsNotARecordIsRefusedAndLeftAsItWas() {
        val empty = dir.resolve("empty.db").also { Files.write(it, ByteArray(0)) }
        val text = dir.resolve("notes.db").also { Files.writeString(it, "shopping list") }
        for (file in listOf(empty, text)) {
            val before = Files.readAllBytes(file)
            assertFailsWith<CompanionException.NotARecord> { HealthRecord.open(file.toString(), keysOf(file.toString())) }
            assertFailsWith<CompanionException.NotARecord> {
                HealthRecord.create(file.toString(), keysOf(file.toString()), defaultProfile("Ana", "Europe/Berlin"))
            }
            assertContentEquals(before, Files.readAllBytes(file), "$file is unchanged")
        }
    }

    @Test
    fun anOutputOntoTheRecordIsRefused() {
        val path = dir.resolve("record.db").toString()
        HealthRecord.create(path, keysOf(path), defaultProfile("Ana", "Europe/Berlin")).use { record ->
            for (out in listOf(path, "$path-wal", "$path-shm")) {
                val e = assertFailsWith<CompanionException.InvalidInput> {
                    record.writeReport(out, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "Europe/Berlin", null)
                }
                assertEquals("output path", e.field)
            }
            HealthRecord.open(path, keysOf(path)).use { again -> assertEquals(record.id(), again.id()) }
        }
    }

    @Test
    fun aSoundRecordChecksCleanAndRepairChangesNothing() {
        HealthRecord.create(dir.resolve("record.db").toString(), keysOf(dir.resolve("record.db").toString()), defaultProfile("Ana", "Europe/Berlin")).use { record ->
            record.addReading(
                Reading(newId(), Measurement.BloodPressure(152u, 91u, null), "2026-11-20T08:00:00+01:00", null, ReadingSource.Manual, null, null),
            )
            val report = record.check()
            assertTrue(report.integrity.isEmpty())
            assertEquals(0uL, report.badChecksums + report.differingRows + report.missingRows + report.extraRows)
            val repair = record.repair()
            assertEquals(false, repair.rebuilt)
            assertEquals(report, repair.after)
        }
    }
}
