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


def cache_decorators(path: Path):
    """(function, decorator call) for every @st.cache_data(...) / @st.cache_resource(...) in a file."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and target.attr in {"cache_data", "cache_resource"}:
                    yield node, decorator


def test_every_cache_that_takes_arguments_is_bounded():
    """A long class must not grow memory without limit: each keyed cache sets max_entries."""
    scripts = [ROOT / "app.py", *(ROOT / "lessons").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    found, unbounded = 0, []
    for path in scripts:
        for function, decorator in cache_decorators(path):
            found += 1
            keywords = {k.arg for k in decorator.keywords} if isinstance(decorator, ast.Call) else set()
            if function.args.args and "max_entries" not in keywords:
                unbounded.append(f"{path.name}:{function.name}")
    assert found >= 10  # the walk really sees the decorators
    assert unbounded == []
