"""Shared fixtures. Packaged models load once per test session; tiny random models cost nothing.

The tiny models' tokenizers are trained here in memory (the ``tokenizers`` library), so unit
tests need no installed model package: WordPiece for the encoder kind, byte-level BPE for the
causal kind, as the packaged models use.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as app.py sets it, before anything imports torch


@pytest.fixture(scope="session")
def encoder():
    from geometry.models import load_encoder

    return load_encoder()


@pytest.fixture(scope="session")
def causal_lm():
    from geometry.models import load_causal_lm

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
    from geometry.senses import PRESETS
    from geometry.wordsets import CATEGORIES

    text = list(TOKENIZER_SENTENCES)
    text += [sentence for preset in PRESETS.values() for _, sentence in preset.sentences]
    text += [" ".join(words) for words in CATEGORIES.values()]
    reference = Path(__file__).parents[1] / "geometry" / "data" / "reference.txt"
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


def _tiny(config):
    import torch
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)

    model = AutoModelForCausalLM.from_config(config, attn_implementation="eager")
    model.eval().requires_grad_(False)
    return model


@pytest.fixture(scope="session")
def tiny_gpt2(byte_level):
    """A randomly initialised GPT-2 (learned positions, LayerNorm, GELU) with a byte-level BPE tokenizer."""
    from transformers import GPT2Config

    from geometry.models import LoadedModel

    end = byte_level.eos_token_id  # GPT2Config's default (50256) is outside the tiny vocabulary
    config = GPT2Config(
        vocab_size=len(byte_level),
        n_positions=64,
        n_embd=32,
        n_layer=2,
        n_head=4,
        bos_token_id=end,
        eos_token_id=end,
    )
    return LoadedModel(_tiny(config), byte_level, "tiny-gpt2", "causal", "test", "random")


# Llama and Qwen2 alike: 2 layers, 4 query heads sharing 2 key/value heads, rotary positions
ROTARY_SIZES = {
    "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
    "num_key_value_heads": 2, "max_position_embeddings": 64,
}  # fmt: skip


@pytest.fixture(scope="session")
def tiny_llama(byte_level):
    """A randomly initialised Llama (RoPE, RMSNorm, grouped-query attention, SwiGLU), byte-level BPE."""
    from transformers import LlamaConfig

    from geometry.models import LoadedModel

    config = LlamaConfig(
        vocab_size=len(byte_level),
        bos_token_id=byte_level.bos_token_id,
        eos_token_id=byte_level.eos_token_id,
        **ROTARY_SIZES,
        tie_word_embeddings=True,
    )
    return LoadedModel(_tiny(config), byte_level, "tiny-llama", "causal", "test", "random")


@pytest.fixture(scope="session")
def tiny_qwen2(byte_level):
    """A randomly initialised Qwen2: Llama's layout plus biases on the query, key and value projections."""
    import torch
    from transformers import Qwen2Config

    from geometry.models import LoadedModel

    config = Qwen2Config(
        vocab_size=len(byte_level),
        **ROTARY_SIZES,
        tie_word_embeddings=False,
    )
    model = _tiny(config)
    with torch.no_grad():  # transformers starts biases at zero; non-zero ones prove they are read
        for layer in model.model.layers:
            for projection in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj):
                projection.bias.normal_(0.0, 0.5)
    return LoadedModel(model, byte_level, "tiny-qwen2", "causal", "test", "random")


CAUSAL_FAMILIES = ["tiny_gpt2", "tiny_llama", "tiny_qwen2"]  # one tiny random model per causal family


@pytest.fixture(params=CAUSAL_FAMILIES)
def tiny_lm(request):
    """Each causal family's tiny random model in turn: a test taking it runs once per family."""
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="session")
def tiny_bert(wordpiece):
    """A randomly initialised BERT encoder (post-norm, attention both ways, GELU, token types)."""
    import torch
    from transformers import AutoModel, BertConfig

    from geometry.models import LoadedModel

    config = BertConfig(
        vocab_size=len(wordpiece),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    torch.manual_seed(0)
    model = AutoModel.from_config(config, attn_implementation="eager")
    with torch.no_grad():  # larger than BERT's initial 0.02, so attention is far from uniform
        for weight in model.parameters():
            if weight.dim() == 2:
                weight.normal_(0.0, 0.3)
    model.eval().requires_grad_(False)
    return LoadedModel(model, wordpiece, "tiny-bert", "encoder", "test", "random")
