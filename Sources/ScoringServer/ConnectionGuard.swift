import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Per connection, after HTTP decoding, the two rules Hummingbird's own idle timeout leaves out:
/// - a request's head must arrive whole within `headerTimeout` of its first byte (a half-sent head
///   would otherwise hold the connection as long as bytes trickle in);
/// - a response that says `Connection: close` ends the connection once it is written, fully: a
///   refusal leaves unread body behind, so the connection cannot carry another request, and a
///   half-closed client would otherwise keep it open.
/// The idle keep-alive timeout (no bytes between requests) is Hummingbird's `idleTimeout`.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headerTimeout: TimeAmount
    private var awaitingHead = true
    private var closeAfterResponse = false
    /// When the first byte of a request whose head is still incomplete arrived.
    private var headStarted: NIODeadline?
    /// At most one timer per connection, moved on lazily when it finds a newer head: a timer
    /// scheduled and cancelled for every request of a keep-alive connection cost measurable throughput.
    private var headTimer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private var lastWrite: EventLoopFuture<Void>?
    private var answeredParseError = false

    init(headerTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Raw bytes are seen before the decoder, where a partial head is still invisible.
        try? context.pipeline.syncOperations.addHandler(FirstByteObserver(owner: self), position: .first)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headTimer?.cancel()
        self.context = nil
    }

    /// Bytes arrived: if they begin a request, its head now has `headerTimeout` to complete.
    func bytesArrived() {
        guard awaitingHead, headStarted == nil, let context else { return }
        let now = NIODeadline.now()
        headStarted = now
        if headTimer == nil { checkHead(at: now + headerTimeout, context: context) }
    }

    private func checkHead(at deadline: NIODeadline, context: ChannelHandlerContext) {
        headTimer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) { [weak self] in
            guard let self, let context = self.context else { return }
            self.headTimer = nil
            guard let started = self.headStarted else { return }
            let due = started + self.headerTimeout
            if due <= .now() { context.close(promise: nil) } else { self.checkHead(at: due, context: context) }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            awaitingHead = false
            headStarted = nil
        }
        context.fireChannelRead(data)
    }

    /// A request the parser refuses before its head is complete (a Content-Length/chunked
    /// conflict, a control character in a header) is answered here, in MLflow's error shape, and
    /// the connection closed; errors in a body go on to the route, which answers them.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard awaitingHead, !answeredParseError else {
            context.fireErrorCaught(error)
            return
        }
        answeredParseError = true
        let message = #"{"error_code": "BAD_REQUEST", "message": "malformed request: \#(Self.describe(error))"}"#
        var body = context.channel.allocator.buffer(capacity: message.utf8.count)
        body.writeString(message)
        let head = HTTPResponse(
            status: .badRequest,
            headerFields: [
                .contentType: "application/json", .contentLength: String(body.readableBytes),
                .connection: "close"
            ])
        closeAfterResponse = true
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }

    /// The parser's error in words safe inside a JSON string.
    static func describe(_ error: Error) -> String {
        String("\(error)".unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }.map(Character.init))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            // A response's end is written after all of it: once it is, so is everything before,
            // which is what a close waits for.
            awaitingHead = true
            let written = promise ?? context.eventLoop.makePromise(of: Void.self)
            lastWrite = written.futureResult
            context.writeAndFlush(data, promise: written)
            if closeAfterResponse {
                // This close does not pass through `close(context:mode:promise:)` above: wait here.
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                written.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
            }
        }
    }

    /// A close (whole, or of the output when the response is finished) waits until every byte
    /// written before it has reached the socket: closing with writes still queued would drop them,
    /// which cut large answers short for clients that half-close after sending.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode != .input, let pending = lastWrite else {
            context.close(mode: mode, promise: promise)
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        pending.whenComplete { _ in bound.value.close(mode: mode, promise: promise) }
    }
}

/// The byte-level half of `ConnectionGuard`, first in the pipeline.
final class FirstByteObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private weak var owner: ConnectionGuard?

    init(owner: ConnectionGuard) { self.owner = owner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.bytesArrived()
        context.fireChannelRead(data)
    }
}
