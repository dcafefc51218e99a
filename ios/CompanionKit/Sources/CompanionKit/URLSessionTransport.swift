import Foundation

/// The relay's requests over URLSession (the phone's own TLS and certificate store; no HTTP
/// library in the app or in the core). The core calls it from a background thread and waits;
/// a request that gets no answer is `NoAnswer`, which the core retries with backoff.
public final class URLSessionTransport: RelayTransport, @unchecked Sendable {
    private let session: URLSession

    public init(timeout: TimeInterval = 30) {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout + 30 // a long poll waits up to 25 s
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: config)
    }

    public func send(request: HttpRequest) throws -> HttpResponse {
        guard let url = URL(string: request.url) else {
            throw TransportError.NoAnswer(reason: "not a URL")
        }
        var r = URLRequest(url: url)
        r.httpMethod = request.method
        for h in request.headers { r.addValue(h.value, forHTTPHeaderField: h.name) }
        if request.method != "GET" { r.httpBody = request.body }
        let done = DispatchSemaphore(value: 0)
        var answer: Result<HttpResponse, TransportError> = .failure(.NoAnswer(reason: "no answer"))
        session.dataTask(with: r) { data, response, error in
            defer { done.signal() }
            if let error = error as NSError? {
                answer = .failure(.NoAnswer(reason: "\(error.domain) \(error.code)"))
                return
            }
            guard let http = response as? HTTPURLResponse else { return }
            let headers = http.allHeaderFields.compactMap { key, value -> HttpHeader? in
                guard let name = key as? String else { return nil }
                return HttpHeader(name: name.lowercased(), value: "\(value)")
            }
            answer = .success(HttpResponse(status: UInt16(http.statusCode), headers: headers, body: data ?? Data()))
        }.resume()
        done.wait()
        return try answer.get()
    }
}
