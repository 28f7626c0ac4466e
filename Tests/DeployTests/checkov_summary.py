"""Reads checkov's JSON report (stdin) and fails on any failed check, any parsing error,
and any skipped check without a written reason. Prints one line per framework."""

from __future__ import annotations

import json
import sys


def main() -> int:
    label = sys.argv[1] if len(sys.argv) > 1 else "checkov"
    text = sys.stdin.read()
    try:
        report = json.loads(text)
    except ValueError:
        print(f"{label}: checkov did not produce a JSON report:\n{text[-2000:]}", file=sys.stderr)
        return 1
    reports = report if isinstance(report, list) else [report]
    problems = 0
    scanned = 0
    for entry in reports:
        if "check_type" not in entry:
            continue
        scanned += 1
        summary = entry["summary"]
        results = entry.get("results", {})
        print(f"{label}: {entry['check_type']}: passed {summary['passed']}, failed {summary['failed']}, "
              f"skipped {summary['skipped']}, parsing errors {summary['parsing_errors']}")
        for check in results.get("failed_checks", []):
            problems += 1
            print(f"  FAILED {check['check_id']} {check.get('check_name', '')}: {check.get('resource')} "
                  f"in {check.get('file_path')}", file=sys.stderr)
        for check in results.get("skipped_checks", []):
            reason = (check.get("check_result", {}).get("suppress_comment") or "").strip()
            if len(reason) < 10:
                problems += 1
                print(f"  SKIPPED WITHOUT A REASON {check['check_id']}: {check.get('resource')} "
                      f"in {check.get('file_path')}", file=sys.stderr)
        for path in results.get("parsing_errors", []):
            problems += 1
            print(f"  PARSING ERROR {path}", file=sys.stderr)
    if scanned == 0:
        # checkov prints an empty summary object when a framework found nothing to scan.
        print(f"{label}: checkov scanned nothing", file=sys.stderr)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
