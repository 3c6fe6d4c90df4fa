"""geometry as a library: what it declares to pip, and what it leaves alone when it is imported."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

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


# --------------------------------------------------------------------------- a model the user loaded


@pytest.fixture(params=["gpt2", "llama"])
def users_model(request, byte_level):
    """A tiny random model as a notebook leaves it: parameters requiring grad, train mode, dropout on."""
    import torch
    from transformers import AutoModelForCausalLM, GPT2Config, LlamaConfig

    from geometry.models.handle import wrap

    vocab = len(byte_level)
    if request.param == "gpt2":
        config = GPT2Config(vocab_size=vocab, n_positions=64, n_embd=32, n_layer=2, n_head=4, resid_pdrop=0.5)
    else:
        config = LlamaConfig(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                             num_attention_heads=4, num_key_value_heads=2, attention_dropout=0.5)  # fmt: skip
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, attn_implementation="eager").train()
    model.lm_head.eval()  # one module in another mode: it must keep it
    return wrap(model, byte_level, name=f"users-{request.param}")


def snapshot(model):
    return (
        {name: p.detach().clone() for name, p in model.named_parameters()},
        {name: p.requires_grad for name, p in model.named_parameters()},
        {name: m.training for name, m in model.named_modules()},
    )


def test_every_public_function_leaves_the_users_model_as_it_was(users_model):
    import copy

    import torch

    from geometry.context.occurrences import occurrence_vectors
    from geometry.interpret.lens import logit_lens
    from geometry.learning.gradients import embedding_gradients
    from geometry.learning.training import train_steps
    from geometry.projection.methods import project
    from geometry.transformer.generation import generate
    from geometry.transformer.readings import next_tokens
    from geometry.transformer.trace import trace
    from geometry.words.similarity import nearest, pairwise
    from geometry.words.vectors import word_vectors

    model = users_model.model
    values, flags, modes = snapshot(model)
    assert users_model.kind == "causal" and all(flags.values()) and modes[""] and not modes["lm_head"]

    t = trace(users_model, "the dog chased the cat")
    with torch.no_grad():  # the model's own answer in eval mode, on a copy
        reference = copy.deepcopy(model).eval()(torch.tensor([t.token_ids.tolist()])).logits[0].numpy()
    assert np.abs(t.activations["logits"] - reference).max() <= 1e-3
    assert len(logit_lens(t, k=2)) and len(next_tokens(users_model, t, k=3)) == 3
    X = word_vectors(["dog", "cat", "house", "tree"], users_model)
    assert pairwise(X).shape == (4, 4) and len(nearest(X[0], users_model, k=3)) == 3
    assert project(X, "pca").coords.shape == (4, 2)
    assert np.isfinite(embedding_gradients(users_model, "the dog ran to the park").loss)
    assert len(train_steps(users_model, "the dog ran to the park", 2, 1e-3).losses) == 2  # on a copy
    sentences = ["the dog ran home", "a dog sat down"]
    first, again = (occurrence_vectors(users_model, sentences, "dog") for _ in range(2))
    assert np.array_equal(first, again)  # dropout was off for the call
    assert generate(users_model, "the dog", 3).new_ids == generate(users_model, "the dog", 3).new_ids

    after_values, after_flags, after_modes = snapshot(model)
    assert all(torch.equal(values[name], after_values[name]) for name in values)
    assert after_flags == flags and after_modes == modes
    assert all(p.grad is None for p in model.parameters())


def test_wrap_reads_the_kind_from_the_model(tiny_bert, wordpiece):
    from geometry.models.handle import wrap

    assert wrap(tiny_bert.model, wordpiece).kind == "encoder"
    with pytest.raises(ValueError, match="'causal' or 'encoder'"):
        wrap(tiny_bert.model, wordpiece, kind="seq2seq")


# --------------------------------------------------------------------------- limits


def test_the_library_limits_are_generous_and_the_pages_pass_their_own(tiny_gpt2):
    from geometry.context import occurrences as cx
    from geometry.words import vectors

    words = ["dog", "cat", "house", "tree"] * 110  # 440: more than a page takes, a small data set
    assert vectors.word_vectors(words, tiny_gpt2).shape == (440, tiny_gpt2.d_model)
    with pytest.raises(ValueError, match="limit of 300"):
        vectors.word_vectors(words, tiny_gpt2, max_words=vectors.MAX_WORDS)
    sentences = [f"the bank number {i}" for i in range(cx.PAGE_LIMITS["max_sentences"] + 1)]
    assert len(cx.find_occurrences(tiny_gpt2, sentences, "bank").table) == len(sentences)
    with pytest.raises(ValueError, match="limit"):
        cx.find_occurrences(tiny_gpt2, sentences, "bank", **cx.PAGE_LIMITS)


# --------------------------------------------------------------------------- importing changes nothing

CHANGES_NOTHING = """
import json, os, pkgutil, importlib
import altair as alt, torch
schemapi = alt.utils.schemapi
before = (dict(os.environ), schemapi.DEBUG_MODE, schemapi._FromDict.__init__, torch.get_num_threads())
import geometry
names = sorted(m.name for m in pkgutil.walk_packages(geometry.__path__, "geometry."))
for name in names:
    importlib.import_module(name)
after = (dict(os.environ), schemapi.DEBUG_MODE, schemapi._FromDict.__init__, torch.get_num_threads())
changed = sorted(k for k in before[0].keys() | after[0].keys() if before[0].get(k) != after[0].get(k))
print(json.dumps({"modules": len(names), "environment": changed, "debug_mode": after[1] == before[1],
                  "from_dict": after[2] is before[2], "threads": after[3] == before[3]}))
"""


def test_importing_every_geometry_module_changes_nothing_global():
    """A notebook that imports the library keeps its process: environment variables, Altair's
    validation and schema table, torch's threads (in a fresh interpreter)."""
    import json
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    done = subprocess.run(
        [sys.executable, "-c", CHANGES_NOTHING], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["modules"] >= 20  # the walk really imports the whole library
    assert found == {**found, "environment": [], "debug_mode": True, "from_dict": True, "threads": True}
