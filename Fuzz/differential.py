"""The h11 differential as a bounded fuzzer: mutates raw requests and flags every
disagreement between barkd's parser (through ``barkd-parse``) and Python's h11 that the
differential test does not document.

Inputs: the seed folders given (the parser harness's committed seeds and what its run
found), the differential corpus and its documented rows. Each round mutates a batch
(byte flips, inserted delimiters, deletions, duplicated or spliced ranges), asks
barkd-parse about the whole batch in one process, and compares with h11 using the test's
own ``h11_parse`` and ``differences``.

What counts as documented is taken from Tests/IntegrationTests/test_parser_differential.py,
by class: barkd may reject what h11 accepts with a (status, reason) that barkd gives one
of the ``KNOWN_DIVERGENCES`` or ``LIMIT_CASES`` rows; barkd may accept what h11 rejects
when h11's reason (without the bytes it quotes) is one it gives a ``LENIENT_DIVERGENCES``
row. Any other verdict difference, and any difference between two accepted requests, is
flagged: written to ``--failures`` and the exit status is 1.

    .tools/venv/bin/python Fuzz/differential.py --barkd-parse .build/debug/barkd-parse --seconds 30 --seeds Fuzz/corpus/parser
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "IntegrationTests"))

from differential_corpus import main_corpus  # noqa: E402
from test_parser_differential import (  # noqa: E402
    KNOWN_DIVERGENCES,
    LENIENT_DIVERGENCES,
    LIMIT_CASES,
    differences,
    h11_parse,
    run_barkd_parse,
)

BATCH = 400
MAX_INPUT_BYTES = 4096
INTERESTING = [b"\r\n", b"\n", b"\r", b" ", b"\t", b":", b";", b",", b"\x00", b"\x7f", b"\xff", b"0", b"9", b"f",
               b"chunked", b"Content-Length: ", b"Transfer-Encoding: ", b"Host: ", b"Expect: 100-continue", b"%",
               b"HTTP/1.1", b"HTTP/1.0", b"\"", b"=", b"?", b"#", b"*", b"[", b"]", b"@"]


def h11_reason_class(reason: str) -> str:
    """h11's reason without the bytes it quotes (``illegal chunk header: bytearray(...)``)."""
    return re.split(r": (?:bytearray\(|b'|b\")", reason)[0]


def mutate(rng: random.Random, raw: bytes, pool: list[bytes]) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 3)):
        position = rng.randint(0, len(data))
        choice = rng.randrange(6)
        if choice == 0 and data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif choice == 1:
            data[position:position] = rng.choice(INTERESTING)
        elif choice == 2 and data:
            del data[position:position + rng.randint(1, 8)]
        elif choice == 3 and data:
            start = rng.randrange(len(data))
            data[position:position] = data[start:start + rng.randint(1, 16)]
        elif choice == 4:
            other = rng.choice(pool)
            start = rng.randrange(len(other) + 1)
            data[position:] = other[start:]
        else:
            data[position:position] = bytes([rng.choice(b"\r\n :;0aZ%")])
    return bytes(data[:MAX_INPUT_BYTES])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--barkd-parse", required=True)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--seeds", nargs="*", default=[])
    parser.add_argument("--failures", default=".build-fuzz/artifacts/differential")
    parser.add_argument("--random-seed", type=int, default=None)
    args = parser.parse_args()
    os.environ["BARKD_PARSE_BIN"] = args.barkd_parse

    seed = args.random_seed if args.random_seed is not None else int(time.time())
    rng = random.Random(seed)
    pool = [raw for _, raw in main_corpus()] + [row.raw for row in KNOWN_DIVERGENCES]
    for folder in args.seeds:
        if Path(folder).is_dir():
            pool += [path.read_bytes() for path in sorted(Path(folder).iterdir()) if path.is_file()]
    pool = [raw for raw in dict.fromkeys(pool) if len(raw) <= MAX_INPUT_BYTES]

    documented_rows = KNOWN_DIVERGENCES + LIMIT_CASES
    stricter = {(verdict["status"], verdict["reason"]) for verdict in run_barkd_parse([row.raw for row in documented_rows])}
    lenient = {h11_reason_class(h11_parse(raw)["reason"]) for _, raw, _ in LENIENT_DIVERGENCES}

    failures = Path(args.failures)
    flagged: dict[str, bytes] = {}
    executed = agreed = documented = 0
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        batch = [mutate(rng, rng.choice(pool), pool) for _ in range(BATCH)]
        for raw, barkd in zip(batch, run_barkd_parse(batch)):
            executed += 1
            reference = h11_parse(raw)
            found = differences(barkd, reference)
            if not found:
                agreed += 1
                continue
            if barkd["verdict"] == "reject" and reference["verdict"] == "accept":
                kind = (barkd["status"], barkd["reason"])
                if kind in stricter:
                    documented += 1
                    continue
                key = f"barkd rejects {kind}, h11 accepts"
            elif barkd["verdict"] == "accept" and reference["verdict"] == "reject":
                kind = h11_reason_class(reference["reason"])
                if kind in lenient:
                    documented += 1
                    continue
                key = f"barkd accepts, h11 rejects ({kind})"
            else:
                key = "both accept, differently: " + "; ".join(line.split(":")[0] for line in found)
            if key not in flagged:
                flagged[key] = raw
                print(f"UNDOCUMENTED: {key}\n  input: {raw[:300]!r}\n  " + "\n  ".join(found), file=sys.stderr)
    print(f"differential: {executed} inputs (random seed {seed}): {agreed} agree, {documented} documented divergences, "
          f"{len(flagged)} undocumented kinds")
    if flagged:
        failures.mkdir(parents=True, exist_ok=True)
        for raw in flagged.values():
            (failures / hashlib.sha1(raw).hexdigest()).write_bytes(raw)
        print(f"differential: inputs in {failures}/ (reproduce with --random-seed {seed})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
