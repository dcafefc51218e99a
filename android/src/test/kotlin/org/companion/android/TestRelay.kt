package org.companion.android

import java.nio.file.Files
import java.nio.file.Path

/**
 * A real relay process on loopback (the CLI's `companion serve --open`, its path given by the
 * build as `companion.bin`), in a directory of its own that also holds the other devices of
 * the test.
 */
class TestRelay : AutoCloseable {
    /** The test's directory: the relay's database and log, and the other devices' files. */
    val dir: Path = Files.createTempDirectory("companion-android-relay")
    private val process: Process
    /** The relay's address. */
    val url: String

    init {
        val bin = System.getProperty("companion.bin") ?: error("companion.bin is not set")
        process = ProcessBuilder(bin, "--db", dir.resolve("relay.db").toString(), "serve", "--listen", "127.0.0.1:0", "--open")
            .redirectError(dir.resolve("relay.log").toFile())
            .start()
        val line = process.inputStream.bufferedReader().readLine() ?: error("the relay printed nothing")
        url = "http://" + line.removePrefix("listening on ").trim()
    }

    override fun close() {
        process.destroy()
        dir.toFile().deleteRecursively()
    }
}
