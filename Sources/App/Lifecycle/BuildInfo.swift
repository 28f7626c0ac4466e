/// What this binary is: its version, the commit it was built from and when.
public struct BuildInfo: Sendable, Equatable {
    /// barkd's version (one place in the source: ``BuildInfo/version``).
    public var version: String
    /// The git commit the binary was built from (`unknown` outside a git checkout).
    public var commit: String
    /// When the build's source was committed (RFC 3339), for reproducible builds.
    public var buildDate: String
    /// The Swift compiler version that built it.
    public var swiftVersion: String

    public init(version: String, commit: String, buildDate: String, swiftVersion: String) {
        self.version = version
        self.commit = commit
        self.buildDate = buildDate
        self.swiftVersion = swiftVersion
    }

    /// barkd's version: the one place it is written in the source.
    public static let barkdVersion = "0.1.0"

    /// The Swift compiler version, as known at compile time.
    public static var compilerVersion: String {
        #if compiler(>=6.4)
        "6.4 or later"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #else
        "6.1"
        #endif
    }
}
