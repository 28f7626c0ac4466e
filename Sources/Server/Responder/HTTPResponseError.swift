/// An error that knows how it is answered: its status and body. Handlers throw it (or
/// let it propagate) instead of catching and building a response each.
public protocol HTTPResponseError: Error {
    /// The response that tells the client what went wrong.
    var response: HTTPResponse { get }
}
