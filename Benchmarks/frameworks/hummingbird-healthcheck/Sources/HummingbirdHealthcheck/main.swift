// Hummingbird 2 serving GET /healthcheck with a fixed JSON body, for Benchmarks/frameworks.sh.
//
//   HummingbirdHealthcheck PORT [BODY]    (BODY defaults to $HEALTHCHECK_BODY)
//
// Listens on 127.0.0.1:PORT with 2 event-loop threads (as barkd --event-loops 2) and
// logs warnings and errors only.
import Foundation
import Hummingbird
import Logging
import NIOPosix

let arguments = CommandLine.arguments
guard arguments.count >= 2, let port = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: HummingbirdHealthcheck PORT [BODY]\n".utf8))
    exit(64)
}
let body = arguments.count >= 3 ? arguments[2] : ProcessInfo.processInfo.environment["HEALTHCHECK_BODY"] ?? "{}"

var logger = Logger(label: "hummingbird-healthcheck")
logger.logLevel = .warning

let router = Router()
router.get("healthcheck") { _, _ -> Response in
    Response(
        status: .ok,
        headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: body))
    )
}

let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port)),
    eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup(numberOfThreads: 2)),
    logger: logger
)
try await app.runService()
