"""The two-layer rule: geometry/ computes and never imports streamlit."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_geometry_never_imports_streamlit():
    offenders = [p.name for p in (ROOT / "geometry").rglob("*.py") if "streamlit" in imported_modules(p)]
    assert offenders == []


def test_pages_do_not_import_torch():
    """Tensors stay inside geometry/: pages get numpy arrays and DataFrames."""
    scripts = [ROOT / "app.py", *(ROOT / "lessons").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    offenders = [p.name for p in scripts if imported_modules(p) & {"torch", "transformers"}]
    assert offenders == []


def test_every_registered_page_exists_and_has_a_docstring():
    from ui import journey

    for lesson in [journey.HOME, *journey.LESSONS]:
        path = ROOT / lesson.path
        assert path.is_file(), lesson.path
        assert ast.get_docstring(ast.parse(path.read_text())), f"{lesson.path} needs a one-line docstring"
