import Foundation
import Hummingbird
import Logging

/// Writes one structured line per request once its response is made:
/// method, route, status, body bytes in and out, duration, the caller (the
/// token's name) and the user acted for. Never a token, a header's value or
/// an image byte. The same is counted in the metrics (by the route the
/// router matched), and the fleet notes the lab PC's request and the
/// picture it stored.
///
/// The middleware runs outermost, so a refusal thrown by authentication or
/// a route is logged with the status it is answered with.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = NachetRequestContext

    let metrics: ServeMetrics
    let fleet: FleetLedger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var request = request
        let exchange = context.exchange
        request.body = RequestBody(asyncSequence: CountingBody(base: request.body, exchange: exchange))
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            record(request, status: 500, bytesOut: nil, started: started, context: context, error: ErrorWording.words(for: error))
            throw error
        }
        record(request, status: Int(response.status.code), bytesOut: response.body.contentLength, started: started, context: context)
        return response
    }

    private func record(
        _ request: Request, status: Int, bytesOut: Int?, started: ContinuousClock.Instant, context: Context, error: String? = nil
    ) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let exchange = context.exchange
        metrics.answered(
            route: context.endpointPath ?? "NotFound", status: status, bytesIn: exchange.bytesIn, bytesOut: bytesOut, duration: elapsed)
        if let picture = exchange.picture { metrics.stored(picture) }
        if let failure = exchange.datastoreFailure { metrics.datastoreFailed(failure) }
        fleet.saw(exchange, at: Date())
        var metadata: Logger.Metadata = [
            "method": "\(request.method)",
            "route": "\(request.uri.path)",
            "status": "\(status)",
            "bytes_in": "\(context.exchange.bytesIn)",
            "duration_ms": "\(String(format: "%.1f", milliseconds))",
        ]
        if let bytesOut { metadata["bytes_out"] = "\(bytesOut)" }
        if let caller = context.exchange.caller { metadata["caller"] = "\(caller)" }
        if let user = context.exchange.user { metadata["user"] = "\(user)" }
        if let address = context.remoteAddress { metadata["remote"] = "\(address)" }
        if let error { metadata["error"] = "\(error)" }
        // The request's logger: the application's, with Hummingbird's `hb.request.id`.
        context.logger.info("request", metadata: metadata)
    }
}

/// A request body that counts the bytes read from it.
struct CountingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let exchange: ExchangeRecord

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let exchange: ExchangeRecord

        mutating func next() async throws -> ByteBuffer? {
            let buffer = try await base.next()
            if let buffer { exchange.countIn(buffer.readableBytes) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), exchange: exchange)
    }
}
