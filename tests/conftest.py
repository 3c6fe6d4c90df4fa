"""Shared fixtures. Packaged models load once per test session; tiny random models cost nothing.

The tiny models' tokenizers are trained here in memory (the ``tokenizers`` library), so unit
tests need no installed model package: WordPiece for the encoder kind, byte-level BPE for the
causal kind, as the packaged models use.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geometry.models.handle import LoadedModel
from geometry.transformer.family import BYTE_LEVEL, SENTENCEPIECE, SENTENCEPIECE_NO_PREFIX, WORDPIECE, Family
from geometry.transformer.registry import FAMILIES

ROOT = Path(__file__).resolve().parents[1]  # the repository

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as app.py sets it, before anything imports torch


@pytest.fixture(scope="session")
def encoder():
    from geometry.models.loading import load_encoder

    return load_encoder()


@pytest.fixture(scope="session")
def causal_lm():
    from geometry.models.loading import load_causal_lm

    return load_causal_lm()


# A few sentences to train the tiny tokenizers on, in memory: the words the unit tests use
# (bank, king, queen, ...) become whole tokens; rarer words split into pieces, as in a real vocabulary.
TOKENIZER_SENTENCES = (
    "We sat on the bank of the river. The bank lent them money. Pilots bank to turn.",
    "The king and the queen, the man and the woman, the prince and the princess.",
    "A dog, a cat, a horse and a cow ran across the field to the river.",
    "Paris is the capital of France; Rome is the capital of Italy; Berlin is the capital of Germany.",
    "The storm is coming, so the sailors tied the boat to the shore.",
    "Apples, pears, grapes and a banana were on the table by the window.",
    "She runs quickly; he walks slowly. They sing, dance and play music together.",
    "One, two, three, four, five: the numbers went up and down all day.",
    "The cat sat on the mat.\nThe dog slept by the door.\nBirds sang in the garden.",
)


def _training_text() -> list[str]:
    """The sentences above, the lesson's sense presets and word categories, the reference text."""
    from geometry.context.senses import PRESETS
    from geometry.words.wordsets import CATEGORIES

    text = list(TOKENIZER_SENTENCES)
    text += [sentence for preset in PRESETS.values() for _, sentence in preset.sentences]
    text += [" ".join(words) for words in CATEGORIES.values()]
    reference = ROOT / "geometry" / "data" / "reference.txt"
    return text + reference.read_text(encoding="utf-8").splitlines()


def wordpiece_tokenizer(vocab_size: int = 3000):
    """A BERT-style WordPiece tokenizer trained in memory: lower case, ``##`` pieces, [CLS] … [SEP]."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    tokenizer.train_from_iterator(
        _training_text(),
        trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=special, show_progress=False),
    )
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]", model_max_length=512,
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    )  # fmt: skip


def byte_level_tokenizer(vocab_size: int = 3000):
    """A GPT-2-style byte-level BPE tokenizer trained in memory: a leading space is ``Ġ``, no special
    tokens added to a text, every byte has a token (nothing is unknown)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_training_text(), trainer)
    end = "<|endoftext|>"
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=end, eos_token=end, unk_token=end, model_max_length=2048,
        model_input_names=["input_ids", "attention_mask"],
    )  # fmt: skip


@pytest.fixture(scope="session")
def wordpiece():
    """WordPiece, as the sentence encoder (MiniLM) uses; built in memory, no model package."""
    return wordpiece_tokenizer()


@pytest.fixture(scope="session")
def byte_level():
    """Byte-level BPE, as SmolLM2 and GPT-2 use; built in memory, no model package."""
    return byte_level_tokenizer()


def mid_sentence_id(tokenizer, word: str) -> int:
    """The one token id ``word`` has after a space, read from the tokenizer itself (``Ġbank`` in
    byte-level BPE, ``bank`` in WordPiece)."""
    (token_id,) = tokenizer(" " + word, add_special_tokens=False)["input_ids"]
    return token_id


def sentencepiece_tokenizer(vocab_size: int = 3000, dummy_prefix: bool = True):
    """A SentencePiece-style BPE tokenizer trained in memory: a word's first piece starts with ``▁``
    (the tokenizer writes it for the space before the word, and, with the ``dummy_prefix`` as
    Llama 2 has it, before a text's first word; Gemma's writes none there)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    prepend = "first" if dummy_prefix else "never"
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme=prepend)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme=prepend)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=["<unk>", "<s>", "</s>"], show_progress=False
    )
    tokenizer.train_from_iterator(_training_text(), trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
        model_max_length=2048, model_input_names=["input_ids", "attention_mask"],
    )  # fmt: skip


@pytest.fixture(scope="session")
def sentencepiece():
    """SentencePiece-style, as Llama 2 and Gemma use; built in memory, no model package."""
    return sentencepiece_tokenizer()


@pytest.fixture(scope="session")
def sentencepiece_no_prefix():
    """SentencePiece-style without the dummy prefix, as Gemma's tokenizer; built in memory."""
    return sentencepiece_tokenizer(dummy_prefix=False)


def tiny_model(family: Family, tokenizer) -> LoadedModel:
    """The family's tiny random model (its file's ``tiny`` configuration), in eval mode, read-only."""
    import torch
    from transformers import AutoModel, AutoModelForCausalLM

    causal = family.layout.vocabulary_head
    torch.manual_seed(0)
    model = (AutoModelForCausalLM if causal else AutoModel).from_config(
        family.tiny.config(tokenizer), attn_implementation="eager"
    )
    if family.tiny.prepare is not None:
        family.tiny.prepare(model)
    model.eval().requires_grad_(False)
    kind = "causal" if causal else "encoder"
    return LoadedModel(model, tokenizer, f"tiny-{family.name}", kind, "test", "random")


def _tiny_fixture(family: Family):
    def fixture(request):
        boundary = family.tiny.tokenizer
        tokenizer = request.getfixturevalue(TOKENIZER_FIXTURES[boundary])
        return tiny_model(family, tokenizer)

    fixture.__doc__ = f"A tiny random {family.title} model ({family.name}.py's tiny configuration)."
    return pytest.fixture(scope="session", name=f"tiny_{family.name}")(fixture)


TOKENIZER_FIXTURES = {
    BYTE_LEVEL: "byte_level", WORDPIECE: "wordpiece", SENTENCEPIECE: "sentencepiece",
    SENTENCEPIECE_NO_PREFIX: "sentencepiece_no_prefix",
}  # fmt: skip
for _family in FAMILIES.values():  # tiny_gpt2, tiny_llama, …: one session fixture per registered family
    globals()[f"tiny_{_family.name}"] = _tiny_fixture(_family)

ALL_FAMILIES = [f"tiny_{name}" for name in FAMILIES]
CAUSAL_FAMILIES = [f"tiny_{name}" for name, family in FAMILIES.items() if family.layout.vocabulary_head]


@pytest.fixture(params=CAUSAL_FAMILIES)
def tiny_lm(request):
    """Each causal family's tiny random model in turn: a test taking it runs once per family."""
    return request.getfixturevalue(request.param)


@pytest.fixture(params=ALL_FAMILIES)
def tiny_family(request):
    """Every registered family's tiny random model in turn, encoders included."""
    return request.getfixturevalue(request.param)
