"""geometry as a library: what it declares to pip, and what it leaves alone when it is imported."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pins(path: Path) -> dict[str, str]:
    """name → version of every ``name==version`` line (a local label such as ``+cpu`` dropped)."""
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#+]+)", line.strip())
        if match:
            found[match[1].lower().replace("_", "-")] = match[2]
    return found


def test_the_library_dependencies_are_the_apps_pins():
    required = pins(ROOT / "requirements.txt")
    declared = {}
    for spec in PROJECT["dependencies"]:
        name, version = spec.split("==")
        declared[name.lower().replace("_", "-")] = version
    assert declared == {name: required[name] for name in declared}
    assert not {"streamlit", "vl-convert-python"} & declared.keys()  # the app's, not the library's


def third_party_imports() -> set[str]:
    """Top-level modules that geometry/*.py import, less the standard library and geometry itself."""
    names = set()
    for path in (ROOT / "geometry").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"geometry", "__future__"}


def test_every_module_geometry_imports_comes_from_a_declared_dependency():
    providers = importlib.metadata.packages_distributions()
    declared = {spec.split("==")[0].lower().replace("_", "-") for spec in PROJECT["dependencies"]}
    missing = {
        module
        for module in third_party_imports()
        if not {d.lower().replace("_", "-") for d in providers.get(module, [])} & declared
    }
    assert len(third_party_imports()) >= 8 and missing == set()
    assert "better-profanity" in declared  # read as a data file (importlib.resources), not imported
