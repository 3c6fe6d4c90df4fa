"""From logits to the next token: temperature, top-k, top-p, greedy or seeded choice.

The last step of a causal LM turns one score per vocabulary token (the logits) into a
probability distribution with softmax, optionally reshaped by three decoding controls,
then picks one token from it:

* **temperature** T divides the logits before softmax (T < 1 sharpens, T > 1 flattens,
  T = 0 is the limit where everything goes to the best token: greedy decoding);
* **top-k** keeps the k most probable tokens;
* **top-p** (nucleus) keeps the smallest set of most probable tokens whose total
  probability reaches p.

The filters are applied in that order (as in Hugging Face ``generate``) and the
survivors are renormalised to sum to 1. Everything here is plain numpy, in float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

MAX_SAMPLES = 100_000  # sample_counts refuses larger draws


def _as_logits(logits) -> np.ndarray:
    """Validated float64 logits, (vocab,); -inf is allowed (a masked token), NaN and +inf are not."""
    values = np.asarray(logits, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("Logits must be a non-empty list of numbers, one per vocabulary token.")
    if np.isnan(values).any() or np.isposinf(values).any():
        raise ValueError("Logits must be finite numbers (or -inf for a token that is ruled out).")
    if np.isneginf(values).all():
        raise ValueError("Every token is ruled out (all logits are -inf).")
    return values


def _as_probs(probs) -> np.ndarray:
    """Validated probabilities, (vocab,): non-negative and summing to 1."""
    values = np.asarray(probs, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("Probabilities must be a non-empty list of numbers.")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError("Probabilities must be finite and non-negative.")
    if not math.isclose(values.sum(), 1.0, abs_tol=1e-6):
        raise ValueError(f"Probabilities must add up to 1 (they add up to {values.sum():.6g}).")
    return values


def _check_controls(temperature: float, top_k: int | None, top_p: float | None) -> None:
    if not isinstance(temperature, Real) or not math.isfinite(temperature) or temperature < 0:
        raise ValueError("Temperature must be a number of 0 or more (0 means greedy).")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, Integral) or top_k < 1):
        raise ValueError("top-k must be a whole number of at least 1 (or None for no limit).")
    if top_p is not None and (not isinstance(top_p, Real) or not 0 < top_p <= 1):
        raise ValueError("top-p must be a number above 0 and at most 1 (or None for no limit).")


def softmax(logits) -> np.ndarray:
    """Probabilities from scores, computed stably by subtracting the maximum first.

    >>> softmax([0.0, 0.0]).tolist()
    [0.5, 0.5]
    >>> softmax([1000.0, 0.0]).round(6).tolist()  # no overflow
    [1.0, 0.0]
    """
    values = _as_logits(logits)
    weights = np.exp(values - values.max())  # (vocab,) in (0, 1], the best token gets 1
    return weights / weights.sum()


def greedy_distribution(logits) -> np.ndarray:
    """One-hot on the argmax (the first one on a tie): the temperature-0 distribution.

    Not a token id: ``greedy`` (in geometry.transformer.generation) is the id itself, the argmax.

    >>> greedy_distribution([1.0, 3.0, 2.0]).tolist()
    [0.0, 1.0, 0.0]
    """
    values = _as_logits(logits)
    onehot = np.zeros_like(values)
    onehot[int(np.argmax(values))] = 1.0
    return onehot


def top_k_mask(probs, top_k: int) -> np.ndarray:
    """True for the ``top_k`` most probable tokens (ties broken by the lower token id).

    >>> top_k_mask([0.1, 0.6, 0.3], 2).tolist()
    [False, True, True]
    """
    values = np.asarray(probs, dtype=np.float64)
    order = np.argsort(-values, kind="stable")  # (vocab,) most probable first
    keep = np.zeros(values.shape, dtype=bool)
    keep[order[: min(int(top_k), values.size)]] = True
    return keep & (values > 0)


def top_p_mask(probs, top_p: float) -> np.ndarray:
    """True for the nucleus: the smallest set of most probable tokens whose mass reaches ``top_p``.

    >>> top_p_mask([0.5, 0.3, 0.2], 0.8).tolist()
    [True, True, False]
    >>> top_p_mask([0.5, 0.3, 0.2], 0.81).tolist()
    [True, True, True]
    """
    values = np.asarray(probs, dtype=np.float64)
    if top_p >= 1:
        return values > 0
    order = np.argsort(-values, kind="stable")  # (vocab,) most probable first
    mass = np.cumsum(values[order])  # (vocab,) mass of the first i+1 tokens
    # The first rank whose running mass reaches p; the tolerance absorbs rounding in the sum.
    size = int(np.searchsorted(mass, top_p - 1e-12, side="left")) + 1
    keep = np.zeros(values.shape, dtype=bool)
    keep[order[: min(size, values.size)]] = True
    return keep


def next_token_probs(logits, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None):
    """The next-token distribution after temperature, top-k and top-p, renormalised, (vocab,).

    ``temperature`` 0 is greedy decoding: one-hot on the argmax. ``top_k=1`` is also
    one-hot on the argmax. ``top_p`` keeps the smallest set of most probable tokens whose
    probability (after temperature and top-k) reaches p. Raises ValueError for invalid
    arguments.

    >>> next_token_probs([2.0, 1.0, 0.0]).round(3).tolist()
    [0.665, 0.245, 0.09]
    >>> next_token_probs([2.0, 1.0, 0.0], temperature=0).tolist()
    [1.0, 0.0, 0.0]
    >>> next_token_probs([2.0, 1.0, 0.0], top_k=2).round(3).tolist()
    [0.731, 0.269, 0.0]
    >>> next_token_probs([2.0, 1.0, 0.0], top_p=0.5).tolist()
    [1.0, 0.0, 0.0]
    """
    _check_controls(temperature, top_k, top_p)
    values = _as_logits(logits)
    if temperature == 0:
        return greedy_distribution(values)
    # Subtract the maximum before dividing so a tiny temperature cannot overflow; a gap
    # wider than the float range becomes -inf, which softmax turns into probability 0.
    with np.errstate(over="ignore"):
        probs = softmax((values - values.max()) / temperature)  # (vocab,)
    if top_k is not None:
        probs = np.where(top_k_mask(probs, top_k), probs, 0.0)
        probs /= probs.sum()
    if top_p is not None:
        probs = np.where(top_p_mask(probs, top_p), probs, 0.0)
        probs /= probs.sum()
    return probs


def entropy_bits(probs) -> float:
    """Shannon entropy in bits: 0 for a certain token, log2(n) for n equally likely ones.

    >>> entropy_bits([1.0, 0.0])
    0.0
    >>> entropy_bits([0.25, 0.25, 0.25, 0.25])
    2.0
    """
    values = _as_probs(probs)
    positive = values[values > 0]
    return float(max(0.0, -(positive * np.log2(positive)).sum()))


def nucleus_size(probs, top_p: float = 0.9) -> int:
    """How many tokens the top-p nucleus holds: the smallest set whose mass reaches ``top_p``.

    >>> nucleus_size([0.5, 0.3, 0.2], 0.8)
    2
    """
    _check_controls(1.0, None, top_p)
    return int(top_p_mask(_as_probs(probs), top_p).sum())


def choose(probs, seed: int | None = None) -> int:
    """The chosen token id: the most probable one (``seed=None``, greedy) or a seeded draw.

    The same seed and distribution always give the same token.

    >>> choose([0.2, 0.5, 0.3])
    1
    >>> choose([0.0, 0.0, 1.0], seed=7)
    2
    """
    values = _as_probs(probs)
    if seed is None:
        return int(np.argmax(values))
    rng = np.random.default_rng(_check_seed(seed))
    return int(rng.choice(values.size, p=values / values.sum()))


def sample_counts(probs, n: int, seed: int = 0) -> np.ndarray:
    """How often each token comes up in ``n`` seeded draws from ``probs``, (vocab,) ints summing to n.

    >>> sample_counts([0.0, 1.0], 5, seed=0).tolist()
    [0, 5]
    """
    values = _as_probs(probs)
    if isinstance(n, bool) or not isinstance(n, Integral) or not 1 <= n <= MAX_SAMPLES:
        raise ValueError(f"The number of samples must be a whole number from 1 to {MAX_SAMPLES:,}.")
    rng = np.random.default_rng(_check_seed(seed))
    return rng.multinomial(int(n), values / values.sum())


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ValueError("The seed must be a whole number of 0 or more.")
    return int(seed)


def probability_ranks(probs, ids) -> np.ndarray:
    """Each token's place by probability: 1 + how many tokens are strictly more probable.

    The rank every table of next tokens shows, however its rows are ordered; tied tokens share a rank.

    >>> probability_ranks([0.1, 0.6, 0.3], [0, 1, 2]).tolist()
    [3, 1, 2]
    """
    p = _as_probs(probs)  # (vocab,)
    chosen = p[np.asarray(ids, dtype=np.int64)]  # (n,)
    return (p[None, :] > chosen[:, None]).sum(axis=1) + 1  # (n,)


@dataclass(frozen=True)
class Decoding:
    """How the next token is picked: the filters, then greedy or a seeded draw.

    >>> Decoding(top_k=1).probs([0.5, 2.0, 1.0]).tolist()
    [0.0, 1.0, 0.0]
    >>> Decoding(temperature=0.0, sample=True).greedy
    True
    """

    temperature: float = 1.0
    top_k: int = 0  # 0 = no limit
    top_p: float = 1.0  # 1 = no limit
    sample: bool = False
    seed: int = 0

    def probs(self, logits) -> np.ndarray:
        """(vocab,) the distribution after temperature, top-k and top-p."""
        return next_token_probs(
            logits, self.temperature, self.top_k or None, self.top_p if self.top_p < 1 else None
        )

    def choose(self, logits, step: int = 0) -> int:
        """Greedy, or a draw seeded by ``seed + step`` so every generation step differs but repeats."""
        return choose(self.probs(logits), self.seed + step if self.sample else None)

    @property
    def greedy(self) -> bool:
        """Whether the choice is the most probable token whatever the seed."""
        return not self.sample or self.temperature == 0 or self.top_k == 1
