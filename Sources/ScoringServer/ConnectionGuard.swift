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
    private var headTimer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private var lastWrite: EventLoopFuture<Void>?

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
        guard awaitingHead, headTimer == nil, let context else { return }
        headTimer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: headerTimeout) { [weak self] in
            guard let self, self.awaitingHead, let context = self.context else { return }
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            awaitingHead = false
            headTimer?.cancel()
            headTimer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Every write is tracked, so that a close can wait for the bytes already handed over.
        let written = promise ?? context.eventLoop.makePromise(of: Void.self)
        lastWrite = written.futureResult
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            context.write(data, promise: written)
        case .body:
            context.write(data, promise: written)
        case .end:
            awaitingHead = true
            context.writeAndFlush(data, promise: written)
            if closeAfterResponse { context.close(promise: nil) }
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
