"""CONTRIBUTING.md's branch protection names status checks: each must be the `name:` of a
job in .github/workflows/ci.yml (a renamed job would otherwise leave `main` waiting for a
check that never reports, or unprotected), and the `gh api` payload must ask for what the
table says (two reviews, strict status checks, admins included)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CONTRIBUTING = (REPO / "CONTRIBUTING.md").read_text()


def protection_payload() -> dict:
    match = re.search(r"<<'JSON'\n(.*?)\nJSON", CONTRIBUTING, re.S)
    assert match, "CONTRIBUTING.md has no gh api payload"
    return json.loads(match.group(1))


def ci_job_names() -> set[str]:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    return {job.get("name", key) for key, job in workflow["jobs"].items()}


def test_required_checks_are_ci_jobs():
    payload = protection_payload()
    contexts = payload["required_status_checks"]["contexts"]
    table = re.search(r"Require status checks to pass \| on: (.*?) \|", CONTRIBUTING)
    assert table, "the protection table names no required checks"
    listed = re.findall(r"\*\*`([^`]+)`\*\*", table.group(1))
    assert sorted(listed) == sorted(contexts), (listed, contexts)
    missing = set(contexts) - ci_job_names()
    assert not missing, f"required checks that no ci.yml job reports: {sorted(missing)}"


def test_protection_asks_for_two_reviews_and_strict_checks():
    payload = protection_payload()
    reviews = payload["required_pull_request_reviews"]
    assert reviews["required_approving_review_count"] == 2
    assert reviews["dismiss_stale_reviews"] and reviews["require_last_push_approval"]
    assert payload["required_status_checks"]["strict"] is True
    assert payload["enforce_admins"] is True
    assert payload["allow_force_pushes"] is False and payload["required_linear_history"] is True
