"""The one object that travels: a model with its tokenizer and name (:class:`LoadedModel`, made by
the loaders or by :func:`wrap` from a model you loaded), the one way to its transformers network,
and the read-only contract for what is computed from it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A model with its tokenizer and where it came from.

    ``model`` is a SentenceTransformer for the encoder and a transformers causal LM
    (eval mode, eager attention, float32) otherwise. ``lock`` serialises calls into
    the shared fast tokenizer, which is not safe to use from two threads at once.
    """

    model: Any
    tokenizer: Any
    name: str
    kind: str  # "encoder" or "causal"
    source: str  # "packaged", "hub" or "user" (see wrap)
    origin: str  # the file or hub name the weights were read from
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def n_layers(self) -> int:
        return int(network(self).config.num_hidden_layers)

    @property
    def d_model(self) -> int:
        return int(network(self).config.hidden_size)

    def embedding_matrix(self) -> np.ndarray:
        """The input embedding matrix E, (vocab, d_model), as a read-only view."""
        return read_only(network(self).get_input_embeddings().weight)


def network(lm: Any) -> Any:
    """The transformers module that computes, from a model handle: the one way to reach it.

    The BertModel inside a sentence-transformers encoder (its first module holds it), otherwise
    ``lm.model`` itself (a causal LM, or a bare transformers encoder).
    """
    model = lm.model
    if getattr(lm, "kind", None) == "encoder" and hasattr(model, "__getitem__"):
        return model[0].auto_model
    return model


def frozen(array: np.ndarray) -> np.ndarray:
    """The array, marked read-only: results shared between callers cannot be changed by one of them."""
    array.flags.writeable = False
    return array


def read_only(tensor: Any) -> np.ndarray:
    """A numpy view of a torch tensor that nobody can write through."""
    return frozen(tensor.detach().cpu().numpy())


@contextlib.contextmanager
def using(lm: Any) -> Iterator[None]:
    """Hold ``lm.lock`` (if it has one) around tokenizer and forward calls, the model in eval mode.

    A model the user loaded may be training (dropout on, so every run differs): for the call its
    modules are put in eval mode, and afterwards each module gets back the mode it had.
    """
    lock = getattr(lm, "lock", None)
    with lock if lock is not None else contextlib.nullcontext(), evaluating(getattr(lm, "model", None)):
        yield


@contextlib.contextmanager
def evaluating(model: Any) -> Iterator[None]:
    """``model`` in eval mode inside the block, each of its modules' own mode restored after it.

    A model already in eval mode (the shared, loaded ones) is not touched at all.
    """
    modules = model.modules() if callable(getattr(model, "modules", None)) else ()
    training = [module for module in modules if module.training]
    if not training:
        yield
        return
    model.eval()
    try:
        yield
    finally:
        for module in training:  # not .train(): that would also switch on the children that were off
            module.training = True


def wrap(model: Any, tokenizer: Any, name: str = "my model", kind: str | None = None) -> LoadedModel:
    """A model you loaded yourself, as the handle every geometry function takes.

    ``model`` is a transformers causal LM (``AutoModelForCausalLM.from_pretrained(...)``), a
    transformers encoder (``AutoModel``) or a sentence-transformers ``SentenceTransformer``;
    ``tokenizer`` is its tokenizer. ``kind`` ("causal" or "encoder") is read from the model when
    not given: a model with a vocabulary head is causal. The model is not changed: its parameters
    keep their ``requires_grad`` and its modules their train or eval mode (each function runs in
    eval mode without gradients and restores the modes it found).

    >>> lm = wrap(AutoModelForCausalLM.from_pretrained("gpt2"), AutoTokenizer.from_pretrained("gpt2"),
    ...           name="gpt2")  # doctest: +SKIP
    """
    if kind is None:
        sentence_encoder = hasattr(model, "encode") and hasattr(model, "__getitem__")
        head = None if sentence_encoder else model.get_output_embeddings()
        kind = "causal" if head is not None else "encoder"
    if kind not in ("causal", "encoder"):
        raise ValueError(f"kind is 'causal' or 'encoder', not {kind!r}.")
    return LoadedModel(model, tokenizer, name, kind, "user", name)
