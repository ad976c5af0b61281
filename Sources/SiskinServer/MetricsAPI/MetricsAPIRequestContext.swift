import Hummingbird
import NIOCore

/// The metrics APIs' request context: Hummingbird's basic one plus the
/// connection, whose TLS handler holds the client certificate the
/// front-proxy check reads.
struct MetricsAPIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
