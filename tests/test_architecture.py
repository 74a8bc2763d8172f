"""Rules of STYLE.md that a machine can hold: thin views, no hand-made queries at the edges."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "amtshilfe"
EDGE_FILES = sorted([*SRC.glob("*/views.py"), *SRC.glob("*/staff_views.py"), *SRC.glob("*/api.py")])
FORBIDDEN_ATTRIBUTES = {"objects", "save", "delete", "update", "create", "enqueue", "atomic"}
FORBIDDEN_IMPORTS = {"django.db.transaction", "django_scopes"}


def _type_checking_blocks(tree: ast.Module) -> set[int]:
    """ids of nodes inside ``if TYPE_CHECKING:`` (imports for annotations only)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            inside |= {id(child) for child in ast.walk(node)}
    return inside


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    annotations_only = _type_checking_blocks(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in annotations_only:
            continue
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append(f"{path.name}:{node.lineno} uses .{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {f"{node.module}.{a.name}" for a in node.names} | {node.module}
            if names & FORBIDDEN_IMPORTS:
                found.append(f"{path.name}:{node.lineno} imports {node.module}")
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models"):
            found.append(f"{path.name}:{node.lineno} imports models directly")
    return found


def test_there_are_views_to_check():
    assert len(EDGE_FILES) >= 3


@pytest.mark.parametrize("path", EDGE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_views_read_through_selectors_and_write_through_services(path):
    assert offences(path) == []


def test_the_rule_catches_a_hand_made_query(tmp_path):
    bad = tmp_path / "views.py"
    bad.write_text(
        "from amtshilfe.organisations.models import Membership\n"
        "def v(request):\n    return Membership.objects.all()\n"
    )
    assert len(offences(bad)) == 2
