"""Findings of the deployment check scripts: each printed at once, all counted at the end."""

from __future__ import annotations

import sys

failures: list[str] = []


def fail(message: str) -> None:
    failures.append(message)
    print(f"FAIL: {message}", file=sys.stderr)


def verdict(label: str) -> int:
    """Prints the closing line and returns the exit status: 1 if anything failed."""
    if failures:
        print(f"{label}: {len(failures)} finding(s)", file=sys.stderr)
        return 1
    print(f"{label}: all checks passed")
    return 0
