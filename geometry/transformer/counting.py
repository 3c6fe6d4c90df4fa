"""How much arithmetic a prediction takes: multiply-adds and dot products per component.

Counted from the architecture alone (no timing). A multiply-add is one ``a·b + c``; a
dot product is one output number made by summing such products (a projection with an
``(in, out)`` matrix makes ``out`` dot products of length ``in`` per token).

Conventions, stated so they can be checked:

* ``n_tokens`` tokens are processed in this pass; they also attend to ``cached_tokens``
  earlier tokens whose keys and values are reused from the cache. A full prompt of T
  tokens is ``(T, 0)``; one generation step with a cache is ``(1, T - 1)``.
* Attention counts only the query-key pairs the causal mask allows (new token i sees
  ``cached_tokens + i + 1`` keys), as a real implementation needs; in an encoder, whose
  attention looks both ways, every token meets every key.
* The unembedding is counted for the last position only: the next token needs nothing else.
  An encoder has no unembedding (its row is 0).
* Norms, softmax, the activation function, biases and residual additions are a few
  operations per number, left out: they are small next to the matrix products.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from geometry.transformer.architecture import Architecture

COMPONENTS = (
    "embedding lookup",
    "query projection",
    "key projection",
    "value projection",
    "attention scores (q·k)",
    "weighted sum of values",
    "output projection",
    "MLP",
    "unembedding",
)


def operation_counts(
    architecture: Architecture, n_tokens: int, cached_tokens: int = 0, every_position: bool = False
) -> pd.DataFrame:
    """Multiply-adds and dot products per component for one forward pass.

    Columns: component, multiply_adds, dot_products, formula. See the module docstring
    for what is counted. ``every_position`` counts the unembedding at all ``n_tokens``
    positions instead of the last one only: training scores every next token.

    >>> arch = example_architecture()
    >>> table = operation_counts(arch, n_tokens=3)
    >>> table.set_index("component").loc["attention scores (q·k)", ["multiply_adds", "dot_products"]].tolist()
    [12, 6]
    >>> every = operation_counts(arch, n_tokens=3, every_position=True).set_index("component")
    >>> int(every.loc["unembedding", "multiply_adds"])  # 3 positions · d 2 · vocab 10
    60
    """
    if n_tokens < 1 or cached_tokens < 0:
        raise ValueError("Count at least one new token and a non-negative number of cached tokens.")
    a, n, c = architecture, int(n_tokens), int(cached_tokens)
    L, H, Hkv, d, dh = a.n_layers, a.n_heads, a.n_kv_heads, a.d_model, a.d_head
    # query-key pairs: the causal mask allows each new token the keys up to itself; an encoder all of them
    pairs = n * c + n * (n + 1) // 2 if a.layout.causal else n * (c + n)
    mlp_macs, mlp_outputs, mlp_formula = mlp_matrices(a)
    rows = [
        ("embedding lookup", 0, 0, "a row lookup: no arithmetic"),
        ("query projection", L * n * d * H * dh, L * n * H * dh, "L·n·d·H·dh"),
        ("key projection", L * n * d * Hkv * dh, L * n * Hkv * dh, "L·n·d·Hkv·dh"),
        ("value projection", L * n * d * Hkv * dh, L * n * Hkv * dh, "L·n·d·Hkv·dh"),
        ("attention scores (q·k)", L * H * pairs * dh, L * H * pairs, "L·H·pairs·dh"),
        ("weighted sum of values", L * H * pairs * dh, L * H * n * dh, "L·H·pairs·dh"),
        ("output projection", L * n * H * dh * d, L * n * d, "L·n·H·dh·d"),
        ("MLP", L * n * mlp_macs, L * n * mlp_outputs, f"L·n·({mlp_formula})"),
        ("unembedding", n * d * a.vocab_size, n * a.vocab_size, "n·d·vocab (every position)")
        if a.layout.vocabulary_head and every_position
        else ("unembedding", d * a.vocab_size, a.vocab_size, "d·vocab (last position only)")
        if a.layout.vocabulary_head
        else ("unembedding", 0, 0, "none: an encoder has no vocabulary head"),
    ]
    return pd.DataFrame(rows, columns=["component", "multiply_adds", "dot_products", "formula"])


def mlp_matrices(architecture: Architecture) -> tuple[int, int, str]:
    """Per token and layer, from the matrices the MLP kind declares: multiply-adds (the sum of each
    matrix's rows × columns), dot products (the sum of their columns) and the formula in words.

    >>> from geometry.transformer.layout import GEGLU
    >>> mlp_matrices(example_architecture(mlp=GEGLU))  # W_gate, W_up (2 × 4), W_down (4 × 2)
    (24, 10, 'd·d_mlp + d·d_mlp + d_mlp·d')
    """
    sizes = architecture.sizes()
    matrices = architecture.layout.mlp.matrices  # (name, rows, columns)
    macs = sum(sizes[rows] * sizes[columns] for _, rows, columns in matrices)
    outputs = sum(sizes[columns] for _, _, columns in matrices)
    return macs, outputs, " + ".join(f"{rows}·{columns}" for _, rows, columns in matrices)


def example_architecture(**layout_changes) -> Architecture:
    """A one-layer architecture small enough to count by hand (docstring examples): 1 head, d 2,
    d_mlp 4, a vocabulary of 10, GPT-2's layout unless ``layout_changes`` say otherwise."""
    import dataclasses

    from geometry.transformer.layout import GELU_MLP, LAYER_NORM, LEARNED, PRE_NORM, Layout

    layout = dataclasses.replace(Layout(LAYER_NORM, PRE_NORM, LEARNED, GELU_MLP), **layout_changes)
    return Architecture("example", "Example", 1, 1, 1, 2, 2, 4, 10, layout, True)


def reused_kv_vectors(architecture: Architecture, cached_tokens: int) -> int:
    """Key and value vectors read from the cache instead of recomputed: 2 · layers · kv heads ·
    cached tokens. A step that predicts after a context of T tokens has T - 1 of them cached.

    >>> arch = example_architecture()
    >>> reused_kv_vectors(arch, 7)
    14
    """
    return 2 * architecture.n_layers * architecture.n_kv_heads * int(cached_tokens)


CACHE_MODES = ("with the cache (new token only)", "from scratch (all tokens)")


def cache_savings(architecture: Architecture, context_tokens: int) -> pd.DataFrame:
    """One generation step at a context of ``context_tokens`` tokens, with and without the KV cache.

    With the cache only the newest token is processed (the others' keys and values are
    reused); without it the whole context is recomputed. Long format, the cache rows first:
    the columns of :func:`operation_counts` plus mode (one of ``CACHE_MODES``).

    >>> arch = example_architecture()
    >>> cache_savings(arch, 3).groupby("mode", sort=False)["multiply_adds"].sum().tolist()
    [64, 140]
    """
    if context_tokens < 1:
        raise ValueError("The context needs at least one token.")
    with_cache = operation_counts(architecture, 1, context_tokens - 1).assign(mode=CACHE_MODES[0])
    scratch = operation_counts(architecture, context_tokens, 0).assign(mode=CACHE_MODES[1])
    return pd.concat([with_cache, scratch], ignore_index=True)


def mode_totals(savings: pd.DataFrame) -> pd.DataFrame:
    """Multiply-adds and dot products summed per mode of :func:`cache_savings`, in its order.

    Index: mode; columns: multiply_adds, dot_products.
    """
    return savings.groupby("mode", sort=False)[["multiply_adds", "dot_products"]].sum()


def step_costs(architecture: Architecture, prompt_tokens: int, cached_tokens: Sequence[int]) -> pd.DataFrame:
    """The multiply-adds of each generation step, with the key/value cache and from scratch.

    ``cached_tokens`` has one entry per step (0 on the first, which reads the whole prompt of
    ``prompt_tokens`` tokens). Columns: multiply_adds_with_cache, multiply_adds_from_scratch.

    >>> arch = example_architecture()
    >>> step_costs(arch, 3, [0, 3]).values.tolist()
    [[140, 140], [68, 188]]
    """

    def total(n_tokens: int, cached: int = 0) -> int:
        return int(operation_counts(architecture, n_tokens, cached)["multiply_adds"].sum())

    return pd.DataFrame({
        "multiply_adds_with_cache": [total(1, c) if c else total(prompt_tokens) for c in cached_tokens],
        "multiply_adds_from_scratch": [total(c + 1 if c else prompt_tokens) for c in cached_tokens],
    })  # fmt: skip
