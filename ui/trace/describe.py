"""Sentences about an architecture, written from what its family declares (its layout), never
from the family's name: a new family reads right without a line here."""

from __future__ import annotations

from geometry.transformer.architecture import Architecture
from geometry.transformer.layout import QK_NORM_PER_HEAD, QK_NORM_WHOLE


def positions_text(arch: Architecture) -> str:
    """How this model tells where each token stands, ending a sentence ("Positions enter as …")."""
    layout = arch.layout
    if layout.positions.rotary:
        share = "the first numbers of " if layout.positions.partial else ""
        return f"a rotation of {share}every query and key ({layout.positions})."
    text = "a learned position vector added to it"
    if layout.token_types:
        text += ", with a token-type vector (sentence A)"
    if layout.embedding_norm:
        text += ", and the sum is normalised"
    if not layout.vocabulary_head:
        text += ". [CLS] and [SEP] are the tokens the encoder puts around every sentence"
    return text + "."


def _activation(name: str) -> str:
    return rf"\operatorname{{{name}}}"


def _mlp_reads(arch: Architecture) -> str:
    """The vector the MLP reads, in words: a normalised copy of the stream (pre-norm) or the stream."""
    return "the normalised vector" if arch.layout.placement.before else "the vector"


def mlp_explanation(arch: Architecture) -> tuple[str, str]:
    """(body, formula) of the MLP neurons tab: what a neuron's pre value and activation are."""
    mlp, act, reads = arch.layout.mlp, arch.layout.mlp.activation, _mlp_reads(arch)
    widen = f"The MLP widens the vector from {arch.d_model} to {arch.d_mlp} numbers and back. "
    if mlp.gated:
        return (
            widen + f"Each of the {arch.d_mlp} neurons has a learned detector (a column of W_gate): its "
            f"**pre** value is the dot product of {reads} with that detector. "
            f"{act} squashes it, a second dot product (W_up) scales it, and the **activation** is what the "
            "down projection reads. The most active neurons are the detectors this token's vector matches "
            "best (or most strongly opposes).",
            rf"\text{{MLP}}(x) = \big({_activation(act)}(x W_\text{{gate}}) \odot x W_\text{{up}}\big)"
            r"\, W_\text{down}",
        )
    return (
        widen + f"Each neuron's **pre** value is the dot product of {reads} with a learned "
        f"detector (a column of W_in) plus a bias; {act} keeps the positive part, and the **activation** is "
        "what W_out reads.",
        rf"\text{{MLP}}(x) = {_activation(act)}(x W_\text{{in}} + b_\text{{in}})"
        r"\, W_\text{out} + b_\text{out}",
    )


def pre_text(arch: Architecture) -> str:
    """What a neuron's **pre** number is, ending the caption of the neurons table."""
    act = arch.layout.mlp.activation
    return f", the gate's dot product before {act}." if arch.layout.mlp.gated else f", before {act}."


def neuron_formula(arch: Architecture) -> str:
    """One neuron's activation a_n, in LaTeX."""
    act = _activation(arch.layout.mlp.activation)
    if arch.layout.mlp.gated:
        return rf"a_n = {act}\big(x \cdot w^\text{{gate}}_n\big)\,\big(x \cdot w^\text{{up}}_n\big)"
    return rf"a_n = {act}\big(x \cdot w^\text{{in}}_n + b_n\big)"


def _norms(arch: Architecture) -> str:
    layout = arch.layout
    placement, norm = layout.placement, layout.norm
    where = []
    if placement.before:
        where.append("a copy of the stream *before* each sublayer (pre-norm)")
    if placement.on_output:
        where.append("each sublayer's output before it is added")
    if placement.after_add:
        where.append("the stream *after* each residual addition (post-norm)")
    kind = f"{norm}" + ("" if norm.centred else " (no mean subtraction, no bias)")
    return f"normalises {' and '.join(where)} with {kind}"


QK_NORMS = {  # layout.qk_norm -> what the model does to its queries and keys, in words
    QK_NORM_PER_HEAD: "normalises each head's query and key before they meet",
    QK_NORM_WHOLE: "normalises the whole query and key projections before splitting them into heads",
}


def _mlp(arch: Architecture) -> str:
    mlp = arch.layout.mlp
    return f"a {mlp.activation}-gated MLP ({mlp})" if mlp.gated else f"a {mlp.activation} MLP"


def family_sentence(name: str, arch: Architecture) -> str:
    """One model's recipe in a sentence, for the Architectures tab."""
    layout = arch.layout
    clauses = []
    if layout.positions.learned:
        added = " and a token-type vector" if layout.token_types else ""
        summed = " and normalises the sum" if layout.embedding_norm else ""
        clauses.append(f"adds a learned position vector{added} to each token{summed}")
    if layout.embedding_scale != "1":
        clauses.append(f"multiplies each token's vector by {layout.embedding_scale}")
    clauses.append("attends only backwards" if layout.causal else "attends both ways")
    if layout.positions.rotary:
        clauses.append(f"rotates queries and keys by an angle that grows with position ({layout.positions})")
    clauses.append(_norms(arch))
    if layout.qk_norm in QK_NORMS:
        clauses.append(QK_NORMS[layout.qk_norm])
    if layout.residual != "sequential":
        clauses.append("runs attention and the MLP side by side on the same input")
    heads = (
        "grouped-query attention, where several query heads share one key/value head to make the cache "
        "smaller"
        if arch.n_kv_heads < arch.n_heads
        else "one key/value head per query head"
    )
    clauses.append(f"uses {_mlp(arch)} and {heads}")
    if not layout.vocabulary_head:
        clauses.append("ends without a vocabulary head")
    return f"**{arch.title}** ({name}) " + ", ".join(clauses[:-1]) + f", and {clauses[-1]}."
