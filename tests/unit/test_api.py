"""One public API: ``import geometry as g`` gives every documented function, pinned here."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import geometry as g

ROOT = Path(__file__).resolve().parents[2]

PUBLIC = [
    "Decoding", "FAMILIES", "Intervention", "LoadedModel", "ModelUnavailable", "Trace", "analogy",
    "analogy_answers", "angle_degrees", "architecture_of", "axis_direction", "cosine",
    "cosine_matrix", "custom_projection", "display_tokens", "dot", "embedding_gradients",
    "find_occurrences", "generate", "lens_table", "load_causal_lm", "load_encoder", "load_model",
    "logit_attribution", "logit_lens", "model_sources", "nearest", "neighbour_comparison", "network",
    "neuron_contexts", "neuron_vocabulary", "next_token_probs", "next_tokens", "norm",
    "occurrence_context", "occurrence_vectors", "operation_counts", "pair_scores", "pairwise",
    "parameter_counts", "parse_axis", "patch_heads", "patch_residual", "prediction_table",
    "preset_words", "project", "project_onto", "projection_frame", "rank", "read_vectors",
    "reference_activations", "reference_statistics", "run", "scalar_projection", "seed_stability",
    "self_similarity", "sense_similarity", "step_multiply_adds", "trace", "train_steps",
    "trustworthiness", "unit", "vocabulary_matrix", "weights_of", "whole_word_vocabulary",
    "word_tokens", "word_vectors", "wrap",
]  # fmt: skip


def test_the_public_names_are_pinned():
    assert g.__all__ == PUBLIC


def test_every_public_name_is_there_and_documented():
    for name in g.__all__:
        value = getattr(g, name)
        assert value is not None, name
        if callable(value):
            assert value.__module__.startswith("geometry."), name
            assert (value.__doc__ or "").strip(), f"{name} needs a docstring"
    assert "trace" in dir(g)


def test_an_unknown_name_is_an_attribute_error():
    try:
        g.no_such_function  # noqa: B018
    except AttributeError as error:
        assert "no_such_function" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_importing_geometry_loads_nothing_heavy():
    """The home page imports geometry and must not pay for torch, transformers or Altair."""
    heavy = "{'torch', 'transformers', 'altair'}"
    code = f"import json, sys, geometry; print(json.dumps(sorted({heavy} & set(sys.modules))))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def documented_uses() -> set[str]:
    """Every ``g.<name>`` the README and the example notebook use."""
    notebook = json.loads((ROOT / "docs" / "example.ipynb").read_text())
    text = (ROOT / "README.md").read_text()
    text += "\n".join("".join(cell["source"]) for cell in notebook["cells"])
    return set(re.findall(r"\bg\.([A-Za-z_]\w*)", text)) - {"__all__"}


def test_the_readme_and_the_notebook_use_the_public_api():
    used = documented_uses()
    assert len(used) >= 15 and used <= set(g.__all__), used - set(g.__all__)


def test_no_public_name_is_also_a_subpackage():
    """Importing geometry.<subpackage> sets that attribute on the package: a public name that shared
    it would turn into the module (g.trace was once the module geometry.trace)."""
    import pkgutil

    subpackages = {module.name for module in pkgutil.iter_modules(g.__path__)}
    assert subpackages and not subpackages & set(g.__all__)
