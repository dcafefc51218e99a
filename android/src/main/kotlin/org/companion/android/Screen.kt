package org.companion.android

import android.app.Activity
import android.content.Intent
import android.os.Bundle
import android.text.InputType
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import java.time.ZoneId
import org.companion.core.CompanionException
import org.companion.core.HealthRecord

/**
 * What every screen shares: a scrolling column built in code (no resources to compile: the
 * app is built and tested here without Android's resource tools), the phone's words, and the
 * record it shows, the device's first (a patient's own; a caregiver's app opens on the
 * patient's), or the one the intent names.
 */
abstract class Screen : Activity() {
    protected lateinit var words: Words
    protected lateinit var column: LinearLayout
    protected var record: HealthRecord? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        words = Words.of(this)
        column = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
        setContentView(ScrollView(this).apply { addView(column) })
        record = openRecord()
        // Built in onResume, which always follows.
    }

    override fun onResume() {
        super.onResume()
        words = Words.of(this)
        render()
    }

    override fun onDestroy() {
        record?.close()
        super.onDestroy()
    }

    private fun openRecord(): HealthRecord? = try {
        val device = App.device(this)
        val which = intent.getStringExtra(RECORD) ?: device.records().firstOrNull { it.problem == null }?.id
        which?.let { device.openRecord(it) }
    } catch (_: CompanionException) {
        null
    }

    /** Builds the screen from the record, anew. */
    protected abstract fun build(record: HealthRecord)

    /** Builds it again (after an action changed the record). */
    protected fun render() {
        column.removeAllViews()
        val r = record
        if (r == null) {
            text(words.nothing)
        } else {
            build(r)
        }
    }

    protected val zone: String get() = ZoneId.systemDefault().id
    protected val now: String get() = App.clock().toString()

    protected fun heading(s: String) = text(s).apply { textSize = 20f }

    protected fun text(s: String): TextView = TextView(this).apply { text = s }.also { column.addView(it) }

    protected fun button(label: String, onClick: () -> Unit): Button =
        Button(this).apply {
            text = label
            setOnClickListener { onClick() }
        }.also { column.addView(it) }

    protected fun field(hint: String, number: Boolean = false): EditText =
        EditText(this).apply {
            this.hint = hint
            if (number) inputType = InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_FLAG_DECIMAL
        }.also { column.addView(it) }

    /** Runs `action` on the record; a refusal is said on the screen in the core's words. */
    protected fun attempt(action: () -> Unit): Boolean = try {
        action()
        true
    } catch (e: CompanionException) {
        text(words.failed(e.message ?: e.javaClass.simpleName))
        false
    }

    protected fun open(screen: Class<out Screen>) {
        startActivity(Intent(this, screen).putExtra(RECORD, record?.id()))
    }

    companion object {
        /** The record a screen shows (its id); none: the device's first. */
        const val RECORD = "org.companion.android.RECORD"
    }
}
