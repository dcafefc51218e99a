package org.companion.android

import java.io.IOException
import java.net.HttpURLConnection
import java.net.URL
import org.companion.core.HttpHeader
import org.companion.core.HttpRequest
import org.companion.core.HttpResponse
import org.companion.core.RelayTransport
import org.companion.core.TransportException

/**
 * The relay's requests over the platform's HTTP stack (HttpURLConnection: the phone's own TLS
 * and certificate store, no HTTP library in the app or in the core). A request that gets no
 * answer is `NoAnswer`; the core retries it and backs off.
 */
class HttpsTransport(private val timeoutMillis: Int = 30_000) : RelayTransport {
    override fun send(request: HttpRequest): HttpResponse {
        val connection = try {
            URL(request.url).openConnection() as HttpURLConnection
        } catch (e: IOException) {
            throw TransportException.NoAnswer(e.javaClass.simpleName)
        }
        try {
            connection.requestMethod = request.method
            connection.connectTimeout = timeoutMillis
            // A long poll waits up to 25 s at the relay.
            connection.readTimeout = timeoutMillis + 30_000
            connection.useCaches = false
            for (h in request.headers) connection.addRequestProperty(h.name, h.value)
            if (request.method != "GET") {
                connection.doOutput = true
                connection.setFixedLengthStreamingMode(request.body.size)
                connection.outputStream.use { it.write(request.body) }
            }
            val status = connection.responseCode
            val body = (if (status >= 400) connection.errorStream else connection.inputStream)
                ?.use { it.readBytes() } ?: ByteArray(0)
            val headers = connection.headerFields
                .filterKeys { it != null }
                .flatMap { (name, values) -> values.map { HttpHeader(name.lowercase(), it) } }
            return HttpResponse(status.toUShort(), headers, body)
        } catch (e: IOException) {
            throw TransportException.NoAnswer(e.javaClass.simpleName)
        } finally {
            connection.disconnect()
        }
    }
}
