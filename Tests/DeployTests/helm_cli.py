"""The few helm subcommands the deployment scripts and checks use, through the Helm v4
Go SDK that helm-python-sdk ships: repo index, package, lint, template, version."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import helm_python
import yaml


def values_from(files: list[str]) -> dict:
    merged: dict = {}
    for path in files or []:
        merged.update(yaml.safe_load(Path(path).read_text()) or {})
    return merged


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="helm")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("version")
    repo = sub.add_parser("repo").add_subparsers(dest="repo_command", required=True)
    index = repo.add_parser("index")
    index.add_argument("directory")
    index.add_argument("--url")
    index.add_argument("--merge")
    package = sub.add_parser("package")
    package.add_argument("chart")
    package.add_argument("--version")
    package.add_argument("--app-version")
    package.add_argument("--destination", "-d", default=".")
    lint = sub.add_parser("lint")
    lint.add_argument("chart")
    lint.add_argument("--strict", action="store_true")
    lint.add_argument("--values", "-f", action="append")
    template = sub.add_parser("template")
    template.add_argument("name")
    template.add_argument("chart")
    template.add_argument("--namespace", "-n", default="default")
    template.add_argument("--values", "-f", action="append")
    args = parser.parse_args(argv)

    if args.command == "version":
        print(f"{helm_python.helm_sdk_version()} (helm-python-sdk {helm_python.__version__})")
    elif args.command == "repo":
        helm_python.repo_index_generate(args.directory, base_url=args.url, merge=args.merge)
    elif args.command == "package":
        path = helm_python.package(args.chart, destination=args.destination, version=args.version,
                                   app_version=args.app_version)
        print(f"Successfully packaged chart and saved it to: {path}")
    elif args.command == "lint":
        report = helm_python.lint(args.chart, values_from(args.values), strict=args.strict)
        for message in report["messages"]:
            print(f"[{message['severity']}] {message['path']}: {message['error']}".rstrip())
        if report["errors"] or (args.strict and report["messages"]):
            print("Error: 1 chart(s) failed", file=sys.stderr)
            return 1
    elif args.command == "template":
        chart = helm_python.Chart.load(args.chart)
        try:
            rendered = chart.render(values_from(args.values), name=args.name, namespace=args.namespace,
                                    is_install=True)
        finally:
            chart.close()
        for path, text in sorted(rendered.items()):
            if path.endswith("NOTES.txt") or not text.strip():
                continue
            print(f"---\n# Source: {path}\n{text.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
