"""The closing explanation of Words in context."""

from __future__ import annotations

from geometry.context import occurrences as context
from ui.page.layout import explain


def explanation(reference: context.Reference) -> None:
    explain(
        "**Self-similarity** at a layer is the mean cosine between the word's vectors in different "
        "occurrences. The static row gives 1 (same vector everywhere); lower values mean the layer has "
        "made the word more specific to its sentence. **Within sense** averages only pairs whose "
        "sentences share a label, **across senses** only pairs that do not: the gap between them is "
        "the meaning the model has read from context.\n\n"
        "Raw cosines in a model are inflated: even unrelated words point into a narrow cone. The "
        f"**baseline** is the mean cosine of {reference.n_pairs:,} random pairs of words from different "
        f"sentences of a reference text ({reference.n_words} words) at the same layer, and the "
        "**adjusted self-similarity** subtracts it, as in Ethayarajh (2019), *How Contextual are "
        "Contextualized Word Representations?*. **Standardising** shifts and scales every dimension by "
        "its mean and spread over those reference words, so a few huge dimensions cannot decide every "
        "cosine.\n\n"
        "The layer called *embeddings* is the model's own first hidden state: the encoder and GPT-2 "
        "add position information there, so it already differs a little from sentence to sentence; "
        "Llama-style models such as SmolLM2 do not (their positions act inside attention).",
        r"\text{SelfSim}_\ell = \frac{1}{n(n-1)}\sum_{i \ne j}"
        r" \cos\big(h_\ell(w, s_i),\, h_\ell(w, s_j)\big)\qquad"
        r" \text{adjusted}_\ell = \text{SelfSim}_\ell - \mathbb{E}_{x,y}\cos\big(h_\ell(x), h_\ell(y)\big)",
    )
