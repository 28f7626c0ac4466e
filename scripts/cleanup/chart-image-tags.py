#!/usr/bin/env python3
"""Reads the image tags a chart repository's versions point at, from its index.yaml.

    chart-image-tags.py INDEX                    every tag some listed version deploys
    chart-image-tags.py INDEX --newest           the newest version's image tag
    chart-image-tags.py INDEX --newest --annotation barkd/image-commit

CD records the image tag of every chart version it publishes in the Chart.yaml
annotation barkd/image-tag (and the image's commit in barkd/image-commit). A version
published before the annotation existed deploys its values.yaml image.tag, read from the
package next to index.yaml (CHART-VERSION.tgz), else its appVersion (the chart's default).

Options: --chart NAME (default barkd), --newest, --annotation KEY (with --newest; default
barkd/image-tag). Exit status: 0 done, 1 the index lists no version of the chart or the
newest lacks the annotation, 2 usage or an unreadable index. Needs PyYAML.
"""

from __future__ import annotations

import argparse
import re
import sys
import tarfile
from pathlib import Path

import yaml

TAG_ANNOTATION = "barkd/image-tag"
SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def version_key(version: str) -> tuple:
    """Semantic version order: a pre-release sorts below its release."""
    match = SEMVER.match(version)
    if not match:
        return (-1, -1, -1, 0, ())
    major, minor, patch, pre = match.groups()
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in (pre or "").split(".") if p)
    return (int(major), int(minor), int(patch), 0 if pre else 1, parts)


def packaged_tag(directory: Path, chart: str, version: str) -> str | None:
    """image.tag from the packaged values.yaml next to the index, if the package is there."""
    package = directory / f"{chart}-{version}.tgz"
    if not package.is_file():
        return None
    try:
        with tarfile.open(package) as archive:
            values = yaml.safe_load(archive.extractfile(f"{chart}/values.yaml").read()) or {}
    except (tarfile.TarError, KeyError, AttributeError, yaml.YAMLError) as error:
        print(f"chart-image-tags: {package.name}: cannot read values.yaml: {error}", file=sys.stderr)
        return None
    tag = (values.get("image") or {}).get("tag")
    return str(tag) if tag not in (None, "") else None


def referenced_tag(directory: Path, chart: str, entry: dict) -> str | None:
    tag = (entry.get("annotations") or {}).get(TAG_ANNOTATION)
    if tag:
        return str(tag)
    return packaged_tag(directory, chart, str(entry.get("version"))) or (
        str(entry["appVersion"]) if entry.get("appVersion") else None)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="chart-image-tags.py", description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--chart", default="barkd")
    parser.add_argument("--newest", action="store_true")
    parser.add_argument("--annotation", default=TAG_ANNOTATION)
    args = parser.parse_args(argv)
    try:
        index = yaml.safe_load(args.index.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        print(f"chart-image-tags: cannot read {args.index}: {error}", file=sys.stderr)
        return 2
    entries = [e for e in (index.get("entries") or {}).get(args.chart) or [] if isinstance(e, dict)]
    if not entries:
        print(f"chart-image-tags: {args.index} lists no version of chart {args.chart}", file=sys.stderr)
        return 1
    if args.newest:
        newest = max(entries, key=lambda e: version_key(str(e.get("version", ""))))
        value = (newest.get("annotations") or {}).get(args.annotation)
        if not value:
            print(f"chart-image-tags: the newest {args.chart} version {newest.get('version')} in {args.index} "
                  f"has no {args.annotation} annotation", file=sys.stderr)
            return 1
        print(value)
        return 0
    tags = {referenced_tag(args.index.parent, args.chart, entry) for entry in entries}
    for tag in sorted(t for t in tags if t):
        print(tag)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
