#!/usr/bin/env python3
"""Fails when a Swift target imports a module it does not declare as a dependency.

SwiftPM's --explicit-target-dependency-import-check catches imports of the package's own
Swift targets only; this also catches its C targets (CLinuxShim, CSQLite...) and
products of other packages (Logging, HeapModule...) that a target reaches only through
another target's dependencies. Reads `swift package dump-package` from standard input.
"""
import json
import re
import sys
from pathlib import Path

# Modules of the toolchain and the platform: never declared in Package.swift.
PLATFORM = {"Glibc", "Musl", "Foundation", "FoundationEssentials", "Synchronization",
            "Dispatch", "Testing", "XCTest", "PackagePlugin", "_Concurrency"}
IMPORT = re.compile(r"\s*(?:@\w+\s+)*(?:public |package |internal |private |fileprivate )?import (\w+)")


def main() -> int:
    package = json.load(sys.stdin)
    problems = []
    for target in package["targets"]:
        if target["type"] == "plugin":
            continue
        default = ("Tests/" if target["type"] == "test" else "Sources/") + target["name"]
        folder = Path(target.get("path") or default)
        declared = {next(iter(dep.values()))[0] for dep in target["dependencies"]}
        for source in sorted(folder.rglob("*.swift")):
            for line in source.read_text().splitlines():
                match = IMPORT.match(line)
                if match and match.group(1) not in declared | PLATFORM | {target["name"]}:
                    problems.append(f"{source}: imports {match.group(1)}, not a dependency of {target['name']}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
