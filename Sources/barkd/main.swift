import CLinuxShim
import Glibc

// `barkd probe`: the container health check (one request to /readyz, then exit).
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "probe" {
    exit(ProbeCommand.run(Array(CommandLine.arguments.dropFirst(2))))
}
// A synchronous main: SIGINT/SIGTERM are blocked here, before any thread exists, so every
// thread inherits the mask and the signals arrive only through the signalfd that this
// thread reads (an async main would leave them deliverable to a thread that dies of them).
let signalFD = barkd_block_signals_signalfd()
barkd_ignore_sigpipe()
guard signalFD >= 0 else {
    StandardError.line("barkd: cannot set up signal handling")
    exit(1)
}
// Blocks of 64 KiB and more (request buffers grown for a large body) are mapped and
// unmapped whole instead of carved from the heap: glibc's adaptive threshold would move
// them into the arenas after the first free, and a burst of uploads would leave memory
// there that the process never gives back (Benchmarks/memory.sh).
_ = barkd_map_allocations_from(64 * 1024)
let command = CommandLineParsing.parseOrExit(Array(CommandLine.arguments.dropFirst()))
exit(Application.run(command, signalFD: signalFD))
