"""How long exact activation patching takes on SmolLM2, and how exactly the attribution adds up.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/patching.py [--repeats N]

Patches the clean residual stream at every (layer, position) of a 12-token prompt pair into the
corrupted run (31 layers x 12 positions), warm (after one run), and every head at the last
position; prints the median seconds and the direct logit attribution's sum error. For reading,
not asserting (the goal is 15 s for the residual patching on the project's 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

CLEAN = "When Mary and John went home, John gave a drink to"  # 12 SmolLM2 tokens
CORRUPTED = "When Mary and John went home, Mary gave a drink to"
TARGET, OTHER = " Mary", " John"
GOAL_SECONDS = 15.0


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats

    from geometry.interpret import attribution, patching
    from geometry.models.loading import load_causal_lm

    lm = load_causal_lm()
    n_tokens = len(lm.tokenizer(CLEAN)["input_ids"])
    args = (lm, CLEAN, CORRUPTED, TARGET, OTHER)
    patching.patch_residual(*args)  # warm: first calls build kernels and caches
    residual = statistics.median(timed(lambda: patching.patch_residual(*args)) for _ in range(repeats))
    heads = statistics.median(timed(lambda: patching.patch_heads(*args)) for _ in range(repeats))
    table = attribution.logit_attribution(lm, CLEAN, TARGET, OTHER)
    error = abs(table["contribution"].sum() - table.attrs["logit"])
    own_error = abs(table["contribution"].sum() - model_difference(lm))
    rows = [
        ("prompt tokens", f"{n_tokens}"),
        ("residual patching, every (layer, position), warm", f"{residual:.1f} s (goal {GOAL_SECONDS:.0f} s)"),
        ("head patching, every head at the last position", f"{heads:.1f} s"),
        ("attribution sum error vs the recomputed logit difference", f"{error:.2e}"),
        ("attribution sum error vs the model's own logit difference", f"{own_error:.2e}"),
    ]
    sys.stdout.write("| measure | value |\n|---|---|\n" + "".join(f"| {a} | {b} |\n" for a, b in rows))


def model_difference(lm) -> float:
    """The model's own logit difference after CLEAN (its transformers forward pass)."""
    import torch

    with torch.no_grad():
        logits = lm.model(torch.tensor([lm.tokenizer(CLEAN)["input_ids"]])).logits[0, -1]
    target, other = (lm.tokenizer(t, add_special_tokens=False)["input_ids"][0] for t in (TARGET, OTHER))
    return float(logits[target] - logits[other])


if __name__ == "__main__":
    main()
