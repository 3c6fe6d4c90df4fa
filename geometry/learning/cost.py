"""What learning costs: parameters per part of the model (from the matrices its family's file
reads), the multiply-adds of one training step (the one cost model,
:mod:`geometry.transformer.counting`), and the rule-of-thumb estimate of a training run.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geometry.models.handle import network
from geometry.transformer.counting import operation_counts
from geometry.transformer.forward import weights_of
from geometry.transformer.registry import architecture_of
from geometry.transformer.weights import PARTS, parameter_parts


def parameter_counts(lm) -> pd.DataFrame:
    """Parameters per part of the model, counted from its weights (a tied matrix counts once): each
    parameter belongs to the part of the named matrix its family's file read it as
    (:func:`geometry.transformer.weights.parameter_parts`); a parameter no matrix reads is "other".

    Columns: part, parameters, share, shape (the embedding matrix as "rows × dims").
    """
    model = network(lm)
    part_of = {}  # the storage a tensor views -> its part: views of one fused matrix share it
    for part, tensor in parameter_parts(weights_of(model)):
        part_of.setdefault(tensor.untyped_storage().data_ptr(), part)
    counts = dict.fromkeys((*PARTS, "other"), 0)
    for weight in model.parameters():
        counts[part_of.get(weight.untyped_storage().data_ptr(), "other")] += weight.numel()
    total = sum(counts.values())
    vocab, d = model.get_input_embeddings().weight.shape
    rows = [
        {
            "part": part,
            "parameters": n,
            "share": n / total,
            "shape": f"{vocab:,} rows × {d} dims" if part == "token embedding" else "",
        }
        for part, n in counts.items()
        if n
    ]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class StepCost:
    """Multiply-adds of one training step on ``n_tokens`` tokens (norms, softmax, biases left out)."""

    n_tokens: int
    matrices: int  # weights used in one multiply-add per token: attention and MLP matrices + unembedding
    forward: int  # multiply-adds of the forward pass
    backward: int  # ≈ 2 × forward: one product for the inputs' gradient, one for the weights'

    @property
    def total(self) -> int:
        return self.forward + self.backward

    @property
    def flops(self) -> int:
        """Floating-point operations: one multiply-add is two (a multiply and an add)."""
        return 2 * self.total


def step_multiply_adds(lm, n_tokens: int) -> StepCost:
    """Multiply-adds of one forward and backward pass of ``lm`` over ``n_tokens`` tokens.

    The forward pass is :func:`geometry.counting.operation_counts` (the one cost model) with the
    unembedding at every position, since training scores every next token: every attention and
    MLP weight matrix entry is used once per token, the unembedding is vocab × d per token, and
    attention adds q·k and the weighted sum of values over the causal pairs. The embedding
    lookup is a copy, not arithmetic. Backward ≈ 2 × forward.
    """
    architecture = architecture_of(network(lm))
    counts = operation_counts(architecture, n_tokens, every_position=True).set_index("component")
    forward = int(counts["multiply_adds"].sum())
    attention = int(counts.loc[["attention scores (q·k)", "weighted sum of values"], "multiply_adds"].sum())
    per_token = (forward - attention) // n_tokens  # weights used once per token, unembedding included
    return StepCost(n_tokens=n_tokens, matrices=per_token, forward=forward, backward=2 * forward)


def training_run_flops(parameters: float, tokens: float) -> float:
    """The rule-of-thumb estimate of a training run: 6 × parameters × tokens FLOPs.

    2 FLOPs per parameter per token forward (a multiply-add), 4 backward.

    >>> training_run_flops(70e9, 15e12)
    6.3e+24
    """
    return 6.0 * parameters * tokens
