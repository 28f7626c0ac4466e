import Foundation
import PackagePlugin

/// Records the commit the binary is built from: before every build it runs
/// `scripts/generate-build-info.sh`, which writes `GeneratedBuildInfo.swift` (commit,
/// commit date) and rewrites it only when they changed.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let package = context.package.directoryURL
        return [
            .prebuildCommand(
                displayName: "Record barkd build info",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [package.appending(path: "scripts/generate-build-info.sh").path, package.path, output.path],
                outputFilesDirectory: output
            )
        ]
    }
}
