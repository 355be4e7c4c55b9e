import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import Scoring

/// The requests clients send in a loop — `GET /ping`, and `POST /invocations` or an Open Inference
/// Protocol infer with a small body that arrived whole in one read — answered in the channel
/// pipeline, on the event loop that read them. Through the router, each request crosses from the
/// event loop to a task and its answer back: on two cores those two hand-offs (futex waits, context
/// switches) cost several times the microseconds of scoring one row. Everything else, and any of
/// these the service does not answer with a 200 (no model, an unusual Content-Type, a binary
/// tensor, a body it refuses), goes on to the router, unchanged and in order, which answers it as
/// before: the answers here are the router's, byte for byte, by the same functions
/// (`ScoringService.answerOnLoop`).
///
/// It sits after Hummingbird's connection-state handler, so that requests answered here count for
/// the idle timeout and a graceful shutdown as the router's do. While the router has a request of
/// this connection in hand, later requests go to it too: answers leave in the order requests came.
final class EventLoopRoutes: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The body of a 200 answer to a whole request of `route`, or nil to leave the request to the
    /// router; `arrived`: when its head was read, for the latency metrics.
    typealias Answer =
        @Sendable (_ route: ServerMetrics.Route, _ head: HTTPRequest, _ body: BodyBytes, _ arrived: Date) -> [UInt8]?

    private let answer: Answer
    private let serverName: String
    /// The largest body answered here: the inline size, or the server's body limit if smaller
    /// (a body over the limit is the router's to refuse).
    private let maximumBody: Int
    /// Requests passed to the router whose answer has not ended yet.
    private var withRouter = 0
    private var date = HTTPDate()
    /// A request that may be answered here, until its end arrives.
    private var held: (route: ServerMetrics.Route, head: HTTPRequest, chunks: [ByteBuffer], arrived: Date)?

    init(serverName: String, maximumBody: Int, answer: @escaping Answer) {
        self.serverName = serverName
        self.maximumBody = maximumBody
        self.answer = answer
    }

    /// The route of a request `EventLoopRoutes` may answer: its method and path (a V2 infer's model
    /// is checked by the answer), no body beyond `maximumBody` bytes (declared: a chunked body goes
    /// to the router), no `Expect`, and no `Connection` but keep-alive (the router closes on `close`).
    static func route(_ head: HTTPRequest, maximumBody: Int) -> ServerMetrics.Route? {
        let path = head.path ?? ""
        let route: ServerMetrics.Route
        switch head.method {
        case .get where path == "/ping": route = .ping
        case .post where path == "/invocations": route = .invocations
        case .post where path.hasPrefix("/v2/models/") && path.hasSuffix("/infer"): route = .infer
        default: return nil
        }
        let fields = head.headerFields
        guard fields[.transferEncoding] == nil, fields[.expect] == nil,
            fields[.connection].map({ $0.lowercased() == "keep-alive" }) ?? true
        else { return nil }
        guard let length = fields[.contentLength] else { return route == .ping ? route : nil }
        return Int(length).map { $0 <= maximumBody } == true ? route : nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            // A client that sends without reading its answers fills the outbound buffer: then the
            // router takes the requests, whose writes wait for the socket and so stop the reading.
            if withRouter == 0, context.channel.isWritable, let route = Self.route(head, maximumBody: maximumBody) {
                held = (route, head, [], Date())
                return
            }
            withRouter += 1
        case .body(let chunk):
            if held != nil {
                held!.chunks.append(chunk)
                return
            }
        case .end:
            // No trailers to weigh: a body with a Content-Length has none, and chunked ones go to the router.
            if let (route, head, chunks, arrived) = held {
                held = nil
                var body = BodyBytes(capacity: chunks.reduce(0) { $0 + $1.readableBytes })
                for chunk in chunks { body.append(contentsOf: chunk.readableBytesView) }
                if let answered = answer(route, head, body, arrived) {
                    respond(answered, context: context)
                    return
                }
                held = (route, head, chunks, arrived)
                passHeldToRouter(context: context)
            }
        }
        context.fireChannelRead(data)
    }

    /// A request that did not arrive whole in one read (or was not answered here)
    /// goes to the router, with the deadline and limits its route applies while the rest arrives.
    private func passHeldToRouter(context: ChannelHandlerContext) {
        guard let (_, head, chunks, _) = held else { return }
        held = nil
        withRouter += 1
        context.fireChannelRead(wrapInboundOut(.head(head)))
        for chunk in chunks { context.fireChannelRead(wrapInboundOut(.body(chunk))) }
    }

    private func respond(_ body: [UInt8], context: ChannelHandlerContext) {
        // The headers the router's answer carries, in its order.
        let head = HTTPResponse(
            status: .ok,
            headerFields: [
                .contentType: "application/json", .contentLength: String(body.count),
                .date: date.now(), .server: serverName
            ])
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        passHeldToRouter(context: context)
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        passHeldToRouter(context: context)
        context.fireErrorCaught(error)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        passHeldToRouter(context: context)
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Never below 0: Hummingbird answers a request the parser refused, which it never passed on.
        if case .end = unwrapOutboundIn(data) { withRouter = max(withRouter - 1, 0) }
        context.write(data, promise: promise)
    }

    /// Given to Hummingbird among the handlers it adds before its connection-state handler; once
    /// the pipeline is complete, puts an `EventLoopRoutes` after that handler and leaves.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart

        private let makeRoutes: () -> EventLoopRoutes

        init(_ makeRoutes: @escaping () -> EventLoopRoutes) {
            self.makeRoutes = makeRoutes
        }

        /// A child channel is active once its initializer has built the whole pipeline. Without the
        /// connection-state handler (a Hummingbird that builds its pipeline otherwise) the router
        /// answers everything, and `mntrading_pipeline_answers_total` stays 0, which a test watches.
        func channelActive(context: ChannelHandlerContext) {
            let pipeline = context.pipeline.syncOperations
            do {
                let state = try pipeline.context(handlerType: HTTPConnectionStateHandler.self)
                try pipeline.addHandler(makeRoutes(), position: .after(state.handler))
            } catch {
                assertionFailure("EventLoopRoutes not installed: \(error)")
            }
            context.fireChannelActive()
            pipeline.removeHandler(context: context, promise: nil)
        }
    }
}
