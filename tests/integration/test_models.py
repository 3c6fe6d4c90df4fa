"""The packaged models load offline and behave like the real thing."""

import numpy as np
import torch

from geometry.models import catalogue
from geometry.models import loading as models


def test_causal_lm_predicts_paris(causal_lm):
    inputs = causal_lm.tokenizer("The capital of France is", return_tensors="pt")
    with torch.no_grad():
        logits = causal_lm.model(**inputs).logits[0, -1]
    assert causal_lm.tokenizer.decode(int(logits.argmax())) == " Paris"


def test_causal_lm_is_the_documented_architecture(causal_lm):
    config = causal_lm.model.config
    assert causal_lm.source == "packaged"
    assert (config.num_hidden_layers, config.hidden_size) == (30, 576)
    assert (config.num_attention_heads, config.num_key_value_heads) == (9, 3)
    assert config.tie_word_embeddings and config._attn_implementation == "eager"
    assert causal_lm.model.lm_head.weight.data_ptr() == causal_lm.model.model.embed_tokens.weight.data_ptr()


def test_encoder_is_minilm(encoder):
    assert (encoder.source, encoder.n_layers, encoder.d_model) == ("packaged", 6, 384)
    vector = encoder.model.encode(["a dog"])
    assert vector.shape == (1, 384) and np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)


def test_shared_models_are_read_only(causal_lm, encoder):
    assert not any(p.requires_grad for p in causal_lm.model.parameters())
    assert not causal_lm.model.training and not encoder.model.training
    assert not causal_lm.embedding_matrix().flags.writeable


def test_locate_packaged_finds_installed_files_without_importing():
    path = models.locate_packaged(catalogue.MODELS[catalogue.ENCODER_NAME].packaged)
    assert path is not None and path.name == "model.safetensors"


def test_the_page_knows_when_a_packaged_model_must_first_be_unpacked(monkeypatch, tmp_path):
    monkeypatch.setenv("SEMANTIC_GEOMETRY_CACHE", str(tmp_path))  # an empty cache: a fresh machine
    monkeypatch.setattr(models, "_LOADED", {})  # as before any model was loaded (the session's stay loaded)
    assert models.needs_unpacking(catalogue.CAUSAL_LM_NAME)
    assert not models.needs_unpacking(catalogue.ENCODER_NAME)  # the encoder's weights are plain already
    assert not models.needs_unpacking("gpt2") and not models.needs_unpacking("no such model")


def test_the_installed_packaged_models_are_available_offline(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    for name in (catalogue.CAUSAL_LM_NAME, catalogue.ENCODER_NAME):
        assert models.availability(name) is None, name
