"""The rules of the house: two layers (geometry and classroom never import streamlit), one cache owner,
a family is one file, no import cycle, every thread in ui/server, small modules, concept folders."""

import ast
import re
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


def test_classroom_never_imports_streamlit_and_borrows_from_geometry_in_one_place():
    """The class store is a library too: pages call it, it never calls a page. What it takes from
    geometry comes through classroom/shared.py, so a move inside geometry is fixed in one file."""
    modules = {p.name: imported_modules(p) for p in (ROOT / "classroom").rglob("*.py")}
    assert len(modules) >= 8
    assert [
        name for name, imported in modules.items() if imported & {"streamlit", "ui", "lessons", "app"}
    ] == []
    assert [name for name, imported in modules.items() if "geometry" in imported] == ["shared.py"]


def test_pages_do_not_import_torch():
    """Tensors stay inside geometry/: pages get numpy arrays and DataFrames."""
    scripts = [ROOT / "app.py", *(ROOT / "lessons").glob("*.py"), *(ROOT / "ui").rglob("*.py")]
    offenders = [p.name for p in scripts if imported_modules(p) & {"torch", "transformers"}]
    assert offenders == []


def test_every_registered_page_exists_and_has_a_docstring():
    from ui import journey

    for lesson in [journey.HOME, *journey.LESSONS, journey.PLANNER]:
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
    scripts = [ROOT / "app.py", *(ROOT / "lessons").glob("*.py"), *(ROOT / "ui").rglob("*.py")]
    found, unbounded = 0, []
    for path in scripts:
        for function, decorator in cache_decorators(path):
            found += 1
            keywords = {k.arg for k in decorator.keywords} if isinstance(decorator, ast.Call) else set()
            if function.args.args and "max_entries" not in keywords:
                unbounded.append(f"{path.name}:{function.name}")
    assert found >= 10  # the walk really sees the decorators
    assert unbounded == []


# st.cache_resource used as a process-wide singleton, not as a cache of computed values
SERVER_SINGLETONS = {  # all in ui/server/
    ("line.py", "line"),  # the one first-come, first-served line for heavy jobs
    ("results.py", "results"),  # the store the line's results go to (its own bounded cache)
    ("line.py", "pending"),  # the jobs of one kind waiting in that line
    ("warm_up.py", "start_background_warm_up"),  # once per server
    ("classroom.py", "store_holder"),  # the one class store (its database connections)
}


def test_one_package_owns_every_cache():
    """Every st.cache_* of computed values is in ui/cache/; elsewhere only the server's singletons."""
    scripts = [ROOT / "app.py", *(ROOT / "lessons").glob("*.py"), *(ROOT / "ui").rglob("*.py")]
    elsewhere = {
        (path.name, function.name)
        for path in scripts
        if path.parent != ROOT / "ui" / "cache"
        for function, _ in cache_decorators(path)
    }
    assert elsewhere == SERVER_SINGLETONS
    owned = [
        decorator for path in (ROOT / "ui" / "cache").glob("*.py") for decorator in cache_decorators(path)
    ]
    assert len(owned) >= 20


def product_strings(path: Path):
    """Every string literal a page could show (docstrings excluded), with its line number."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_the_product_never_points_at_its_source_notes():
    """Each idea is stated in the app's own words: no "the seeds", "the source", "the notes"."""
    import re

    forbidden = re.compile(r"\bthe seeds\b|\bseeds'|\bthe source notes?\b|\bcourse notes\b", re.IGNORECASE)
    scripts = [ROOT / "app.py", *(ROOT / "lessons").glob("*.py"), *(ROOT / "ui").rglob("*.py")]
    scripts += list((ROOT / "geometry").glob("*.py"))
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text[:60]!r}"
        for path in scripts
        for line, text in product_strings(path)
        if forbidden.search(text)
    ]
    assert offenders == []


# --------------------------------------------------------------------------- a family is one file

FAMILY_FOLDER = ROOT / "geometry" / "transformer" / "families"
# The Hugging Face parameter and module names the families' files read: nowhere else.
HUGGING_FACE_NAMES = {
    "wte", "wpe", "ln_f", "ln_1", "ln_2", "c_attn", "c_proj", "c_fc", "embed_tokens", "q_proj", "k_proj",
    "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head", "input_layernorm",
    "post_attention_layernorm", "rotary_emb", "self_attn", "word_embeddings", "position_embeddings",
    "token_type_embeddings", "intermediate", "layer_norm_epsilon", "rms_norm_eps", "layer_norm_eps",
    "embed_in", "embed_out", "final_layer_norm", "query_key_value", "dense_h_to_4h", "dense_4h_to_h",
    "use_parallel_residual", "pre_feedforward_layernorm", "post_feedforward_layernorm",
}  # fmt: skip


def family_words() -> re.Pattern:
    """Every registered family's name and config model types ("gpt2", "llama"), as whole words. (Prose
    may still name a family as an example, "GPT-2 models need the internet once"; code may not.)"""
    from geometry.transformer.registry import FAMILIES

    words = {w for f in FAMILIES.values() for w in (f.name, *f.model_types)}
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(words))) + r")(?![\w])")


def code_names(path: Path):
    """(line, name) of every identifier and attribute a file uses."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, ast.Name):
            yield node.lineno, node.id


def outside_the_families() -> list[Path]:
    library = [p for p in (ROOT / "geometry").rglob("*.py") if FAMILY_FOLDER not in p.parents]
    return [ROOT / "app.py", *(ROOT / "lessons").glob("*.py"), *(ROOT / "ui").rglob("*.py"), *library]


def test_only_a_familys_file_names_the_family_or_its_hugging_face_parameters():
    """The forward pass, attribution, patching, the lens, neurons, learning, counting, tokens, the
    catalogue and the pages read what a family declares, never its name: adding a family is one file.
    (The catalogue's model ids, such as "distilgpt2", are names of models, not of families.)"""
    words = family_words()
    offenders = []
    for path in outside_the_families():
        where = path.relative_to(ROOT)
        offenders += [
            f"{where}:{line}: {text[:50]!r}" for line, text in product_strings(path) if words.search(text)
        ]
        offenders += [
            f"{where}:{line}: {name}" for line, name in code_names(path) if name in HUGGING_FACE_NAMES
        ]
        offenders += [f"{where}:{line}: {name}" for line, name in code_names(path) if words.fullmatch(name)]
    assert offenders == []


def test_the_registry_is_the_folder():
    """Every module of the families' folder declares a family, and the registry holds each of them."""
    from geometry.transformer.registry import FAMILIES

    modules = {p.stem for p in FAMILY_FOLDER.glob("*.py") if p.stem != "__init__"}
    assert modules == set(FAMILIES) and len(FAMILIES) >= 4


# --------------------------------------------------------------------------- the house


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    paths = [ROOT / "app.py", *(ROOT / "lessons").glob("*.py"), *(ROOT / "ui").rglob("*.py")]
    paths += list((ROOT / "geometry").rglob("*.py"))
    return {module_of(path): path for path in paths}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every project module ``path`` imports, at any depth of the file (a function's own imports
    too), with the packages whose ``__init__`` an import runs on the way."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            parts = name.split(".")
            found |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & modules.keys()
    return found


def test_no_import_cycle_anywhere():
    """No module imports, directly or through others, a module that imports it back (function-level
    imports count: they only hide a cycle until the function runs)."""
    modules = project_modules()
    graph = {name: imports_of(path, modules) - {name} for name, path in modules.items()}
    cycles, state = [], {}

    def visit(name: str, stack: list[str]) -> None:
        state[name] = "open"
        for other in sorted(graph[name]):
            if state.get(other) == "open":
                cycles.append(" -> ".join([*stack[stack.index(other) :], other]))
            elif other not in state:
                visit(other, [*stack, other])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert len(graph) > 100 and cycles == []


def test_every_thread_and_lock_of_the_app_lives_in_ui_server():
    """The app's threads and locks are in one place; the library keeps only its own (the model
    handle's tokenizer lock, the loader's lock and its hub probe)."""
    server = ROOT / "ui" / "server"
    app = [ROOT / "app.py", *(ROOT / "lessons").glob("*.py"), *(ROOT / "ui").rglob("*.py")]
    elsewhere = [p.relative_to(ROOT).as_posix() for p in app if server not in p.parents]
    assert [p for p in elsewhere if "threading" in imported_modules(ROOT / p)] == []
    library = {p.relative_to(ROOT).as_posix() for p in (ROOT / "geometry").rglob("*.py")}
    threaded = {p for p in library if "threading" in imported_modules(ROOT / p)}
    assert threaded == {"geometry/models/handle.py", "geometry/models/loading.py"}


def test_no_module_is_over_600_lines():
    paths = [
        *(ROOT / "geometry").rglob("*.py"),
        *(ROOT / "ui").rglob("*.py"),
        *(ROOT / "lessons").glob("*.py"),
    ]
    long = {p.relative_to(ROOT).as_posix(): n for p in paths if (n := len(p.read_text().splitlines())) > 600}
    assert long == {}


def test_geometry_is_a_few_concept_folders():
    """A newcomer reads the library from its listing: folders by concept, no loose modules but the API."""
    top = ROOT / "geometry"
    assert sorted(p.name for p in top.glob("*.py")) == ["__init__.py"]
    folders = {p.name for p in top.iterdir() if p.is_dir() and not p.name.startswith("__")}
    expected = {"models", "transformer", "interpret", "words", "projection", "context", "learning", "charts"}
    assert folders == expected | {"data"}
