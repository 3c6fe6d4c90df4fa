"""classroom as a library: it installs with geometry, and what it imports is declared to pip."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from tests.unit.test_architecture import imported_modules

ROOT = Path(__file__).resolve().parents[3]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def normalised(distribution: str) -> str:
    """A distribution's name as pip compares them (PEP 503): tomli_w and tomli-w are one package."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def test_classroom_is_packaged_and_every_module_it_imports_is_a_declared_dependency():
    assert "classroom" in PROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    imported = set().union(*(imported_modules(p) for p in (ROOT / "classroom").rglob("*.py")))
    third_party = imported - set(sys.stdlib_module_names) - {"classroom", "geometry", "__future__"}
    assert {"sqlalchemy", "pandas", "segno"} <= third_party
    providers = importlib.metadata.packages_distributions()
    declared = {normalised(spec.split("==")[0]) for spec in PROJECT["project"]["dependencies"]}
    assert {m for m in third_party if not {normalised(d) for d in providers.get(m, [])} & declared} == set()


def test_postgresql_is_an_extra_pinned_as_in_requirements():
    (extra,) = PROJECT["project"]["optional-dependencies"]["postgresql"]
    assert extra == "psycopg[binary]==3.3.9"
    requirements = (ROOT / "requirements.txt").read_text().split()
    assert {"psycopg==3.3.9", "psycopg-binary==3.3.9", "SQLAlchemy==2.1.9"} <= set(requirements)
    assert importlib.metadata.version("psycopg") == importlib.metadata.version("psycopg-binary") == "3.3.9"
