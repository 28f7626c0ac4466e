import Foundation
import PackagePlugin

/// Records the commit the binary is built from: before every build it runs
/// `scripts/generate-build-info.sh`, which writes `GeneratedBuildInfo.swift` (commit,
/// commit date) and rewrites it only when they changed.
///
/// SwiftPM starts a prebuild command with an empty environment, so the two variables a
/// build without `.git` sets (`BARKD_COMMIT_SHA`, `SOURCE_DATE_EPOCH`: the container
/// build) are handed to the script explicitly.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let package = context.package.directoryURL
        let environment = ProcessInfo.processInfo.environment.filter { name, _ in
            name == "BARKD_COMMIT_SHA" || name == "SOURCE_DATE_EPOCH" || name == "PATH"
        }
        return [
            .prebuildCommand(
                displayName: "Record barkd build info",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [package.appending(path: "scripts/generate-build-info.sh").path, package.path, output.path],
                environment: environment,
                outputFilesDirectory: output
            )
        ]
    }
}
