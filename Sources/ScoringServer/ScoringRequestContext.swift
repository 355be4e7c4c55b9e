import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the request's channel: the body deadline closes the channel's
/// input to end a body that is still arriving, which costs nothing while no deadline fires (a
/// reader task per request would).
public struct ScoringRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
