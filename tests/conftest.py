"""Shared fixtures. Packaged models load once per test session; tiny random models cost nothing."""

from __future__ import annotations

import os

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


@pytest.fixture(scope="session")
def small_tokenizer():
    """The encoder package's WordPiece tokenizer: loads in a moment, no model weights needed."""
    from transformers import AutoTokenizer

    from geometry.models import MODELS, locate_packaged

    weights = locate_packaged(MODELS["all-MiniLM-L6-v2"].packaged)
    return AutoTokenizer.from_pretrained(str(weights.parent))


def _tiny(config):
    import torch
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)

    model = AutoModelForCausalLM.from_config(config, attn_implementation="eager")
    model.eval().requires_grad_(False)
    return model


@pytest.fixture(scope="session")
def tiny_gpt2(small_tokenizer):
    """A randomly initialised GPT-2 (learned positions, LayerNorm, GELU) with SmolLM2's tokenizer."""
    from transformers import GPT2Config

    from geometry.models import LoadedModel

    config = GPT2Config(vocab_size=len(small_tokenizer), n_positions=64, n_embd=32, n_layer=2, n_head=4)
    return LoadedModel(_tiny(config), small_tokenizer, "tiny-gpt2", "causal", "test", "random")


@pytest.fixture(scope="session")
def tiny_llama(small_tokenizer):
    """A randomly initialised Llama (RoPE, RMSNorm, grouped-query attention, SwiGLU)."""
    from transformers import LlamaConfig

    from geometry.models import LoadedModel

    config = LlamaConfig(
        vocab_size=len(small_tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        tie_word_embeddings=True,
    )
    return LoadedModel(_tiny(config), small_tokenizer, "tiny-llama", "causal", "test", "random")


@pytest.fixture(scope="session")
def tiny_qwen2(small_tokenizer):
    """A randomly initialised Qwen2: Llama's layout plus biases on the query, key and value projections."""
    import torch
    from transformers import Qwen2Config

    from geometry.models import LoadedModel

    config = Qwen2Config(
        vocab_size=len(small_tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        tie_word_embeddings=False,
    )
    model = _tiny(config)
    with torch.no_grad():  # transformers starts biases at zero; non-zero ones prove they are read
        for layer in model.model.layers:
            for projection in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj):
                projection.bias.normal_(0.0, 0.5)
    return LoadedModel(model, small_tokenizer, "tiny-qwen2", "causal", "test", "random")


@pytest.fixture(scope="session")
def tiny_bert(small_tokenizer):
    """A randomly initialised BERT encoder (post-norm, attention both ways, GELU, token types)."""
    import torch
    from transformers import AutoModel, BertConfig

    from geometry.models import LoadedModel

    config = BertConfig(
        vocab_size=len(small_tokenizer),
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
    return LoadedModel(model, small_tokenizer, "tiny-bert", "encoder", "test", "random")
