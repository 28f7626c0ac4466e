#!/usr/bin/env bash
# Builds barkd's libFuzzer harnesses (Fuzz/Harnesses) and runs each for FUZZ_SECONDS
# (default 30) from its committed seeds (Fuzz/corpus/<harness>), then the h11 differential
# (Fuzz/differential.py) on mutations of the seeds and of what the parser harness found.
# Fails on a crash, a broken property or an undocumented disagreement with h11; prints
# executions and coverage per harness. Long run: FUZZ_SECONDS=3600 scripts/fuzz.sh.
#
# SwiftPM builds no fuzzer products, so this compiles the sources the harnesses need
# with swiftc -sanitize=fuzzer,address, one module at a time (the modules keep their
# names, so the sources compile unchanged): swift-log's Logging (which Router's
# RequestContext names), Observability's text helpers, the Server sources that parse
# and route, and Persistence's DatabaseURL. Each harness links those objects with its
# own file, Fuzz/Support and, for the parser and chunked harnesses, the split property
# of Tests/ServerTests/SplitInvariance.swift (one copy for the tests and the fuzzers).
#
# Environment: FUZZ_SECONDS (per harness and for the differential), FUZZ_HARNESSES
# (space-separated subset), FUZZ_BUILD_DIR (default .build-fuzz), FUZZ_PYTHON (a Python
# with h11, default .tools/venv/bin/python), FUZZ_DIFFERENTIAL=0 to skip the differential.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-30}
out=${FUZZ_BUILD_DIR:-.build-fuzz}
read -r -a harnesses <<< "${FUZZ_HARNESSES:-parser chunked router percent database-url}"
python=${FUZZ_PYTHON:-.tools/venv/bin/python}

features=(-swift-version 6 -package-name barkd -enable-upcoming-feature MemberImportVisibility -enable-upcoming-feature InternalImportsByDefault)
instrumented=(-O -g -parse-as-library "-sanitize=fuzzer,address" "${features[@]}")

# Compiles one module from sources into $out/<name>.o and $out/<name>.swiftmodule,
# unless the object is newer than this script and every source.
build_module() {
    local name=$1
    shift
    local flags=()
    while [[ $1 != -- ]]; do
        flags+=("$1")
        shift
    done
    shift
    if [[ -f $out/$name.o && -z $(find "$0" "$@" -newer "$out/$name.o") ]]; then return; fi
    swiftc -module-name "$name" -wmo -c -o "$out/$name.o" -emit-module -emit-module-path "$out/$name.swiftmodule" \
        -I "$out" "${flags[@]}" "$@"
}

build() {
    mkdir -p "$out"
    [[ -d .build/checkouts/swift-log ]] || swift package resolve
    echo "== fuzz: building into $out" >&2
    local logging=()
    mapfile -t logging < <(find .build/checkouts/swift-log/Sources/Logging -name '*.swift' | sort)
    # swift-log as its own manifest builds it (not instrumented: it is not under test).
    build_module Logging -O -parse-as-library -swift-version 6 -package-name swift_log \
        -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility \
        -enable-upcoming-feature InternalImportsByDefault -enable-upcoming-feature NonisolatedNonsendingByDefault \
        -- "${logging[@]}"
    build_module Observability "${instrumented[@]}" -- Sources/Observability/Text/*.swift
    local server=(Sources/Server/HTTP/*.swift Sources/Server/Routing/*.swift Sources/Server/Responder/*.swift
        Sources/Server/Server/HTTPServerStats.swift Sources/Server/Server/HTTPRejection.swift)
    # The response writer's date cache needs the C shim; nothing the harnesses reach uses it.
    local sources=()
    for file in "${server[@]}"; do
        [[ $file == */HTTPResponseWriter.swift || $file == */HTTPDate.swift ]] || sources+=("$file")
    done
    build_module Server "${instrumented[@]}" -enable-testing -- "${sources[@]}"
    build_module Persistence "${instrumented[@]}" -enable-testing -- \
        Sources/Persistence/MariaDB/DatabaseURL.swift Sources/Persistence/MariaDB/DatabasePassword.swift
    local objects=("$out/Logging.o" "$out/Observability.o" "$out/Server.o" "$out/Persistence.o")
    link parser ParserFuzzer.swift Tests/ServerTests/SplitInvariance.swift
    link chunked ChunkedFuzzer.swift Tests/ServerTests/SplitInvariance.swift
    link router RouterFuzzer.swift
    link percent PercentFuzzer.swift
    link database-url DatabaseURLFuzzer.swift
}

# Links harness $1 from Fuzz/Harnesses/$2, Fuzz/Support and any further sources.
link() {
    local name=$1 file=$2
    shift 2
    swiftc "${instrumented[@]}" -module-name "$(basename "$file" .swift)" -I "$out" -o "$out/$name-fuzzer" \
        "Fuzz/Harnesses/$file" Fuzz/Support/*.swift "$@" "${objects[@]}"
}

# Runs harness $1 for $seconds; new inputs go to $out/corpus/$1, crashes to $out/artifacts/$1.
run() {
    local name=$1 log="$out/$1.log"
    mkdir -p "$out/corpus/$name" "$out/artifacts/$name"
    echo "== fuzz: $name for ${seconds}s" >&2
    local status=0
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$out/$name-fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/$name/" \
        "$out/corpus/$name" "Fuzz/corpus/$name" > "$log" 2>&1 || status=$?
    local executions coverage
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
    printf '%-14s executions %s, %s, corpus %s files\n' "$name" "${executions:-?}" "${coverage:-cov: ?}" \
        "$(find "$out/corpus/$name" -type f | wc -l)"
    if ((status != 0)); then
        grep -E -A12 'PROPERTY VIOLATED|ERROR: AddressSanitizer|ERROR: libFuzzer|Fatal error' "$log" | head -40 >&2 || true
        echo "fuzz: $name failed (exit $status); log $log, input in $out/artifacts/$name/" >&2
        return 1
    fi
}

differential() {
    local bin
    bin=$(swift build --show-bin-path)
    [[ -x $bin/barkd-parse ]] || swift build --product barkd-parse
    echo "== fuzz: h11 differential for ${seconds}s" >&2
    "$python" Fuzz/differential.py --barkd-parse "$bin/barkd-parse" --seconds "$seconds" \
        --seeds Fuzz/corpus/parser "$out/corpus/parser" --failures "$out/artifacts/differential"
}

build
failed=0
for name in "${harnesses[@]}"; do
    run "$name" || failed=1
done
if [[ ${FUZZ_DIFFERENTIAL:-1} != 0 ]]; then
    differential || failed=1
fi
exit "$failed"
