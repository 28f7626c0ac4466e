import Logging

/// An error that knows how it is answered: its status and body. Handlers throw it (or
/// let it propagate) instead of catching and building a response each.
public protocol HTTPResponseError: Error {
    /// The response that tells the client what went wrong.
    var response: HTTPResponse { get }
}

extension HTTPResponse {
    /// A responder's error as its answer: an ``HTTPResponseError``'s own response;
    /// anything else logged on the request's logger and answered 500. The router and the
    /// connection (for errors middleware throws) answer errors alike through this.
    public static func answering(_ error: any Error, context: RequestContext) -> HTTPResponse {
        if let error = error as? any HTTPResponseError { return error.response }
        context.logger.error("handler failed", metadata: ["route": "\(context.route)", "error": "\(error)"])
        return .error(.internalServerError, "internal error")
    }
}
