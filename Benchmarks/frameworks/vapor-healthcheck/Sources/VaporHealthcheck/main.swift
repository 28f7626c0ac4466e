// Vapor 4 serving GET /healthcheck with a fixed JSON body, for Benchmarks/frameworks.sh.
//
//   VaporHealthcheck PORT [BODY]    (BODY defaults to $HEALTHCHECK_BODY)
//
// Listens on 127.0.0.1:PORT in the production environment with 2 event-loop threads (as
// barkd --event-loops 2) and logs warnings and errors only.
import Foundation
import Logging
import NIOPosix
import Vapor

let arguments = CommandLine.arguments
guard arguments.count >= 2, let port = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: VaporHealthcheck PORT [BODY]\n".utf8))
    exit(64)
}
let body = arguments.count >= 3 ? arguments[2] : ProcessInfo.processInfo.environment["HEALTHCHECK_BODY"] ?? "{}"

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}

// Vapor's own command line is not used: "serve" with the production environment.
let environment = Environment(name: "production", arguments: [arguments[0], "serve"])
let app = try await Application.make(environment, .shared(MultiThreadedEventLoopGroup(numberOfThreads: 2)))
app.logger.logLevel = .warning
app.http.server.configuration.hostname = "127.0.0.1"
app.http.server.configuration.port = port

app.get("healthcheck") { _ -> Response in
    Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(string: body))
}

do {
    try await app.execute()
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    throw error
}
try await app.asyncShutdown()
