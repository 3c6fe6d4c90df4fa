"""The unit layer reads no installed model package: its tiny models and tokenizers are made in memory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_packaged_model(monkeypatch):
    """Finding a packaged model's files fails a unit test; such a test belongs in tests/integration."""
    from geometry.models import catalogue
    from geometry.models import loading as models

    packaged = {spec.packaged for spec in catalogue.MODELS.values() if spec.packaged}
    find = models.locate_packaged

    def refuse(wanted):
        if wanted in packaged:
            raise AssertionError("a unit test reached for a packaged model; move it to tests/integration")
        return find(wanted)

    monkeypatch.setattr(models, "locate_packaged", refuse)


@pytest.fixture(scope="module")
def small_trace(tiny_llama):
    """A short prompt traced through the tiny Llama: the trace page's tables and charts read it."""
    from geometry.transformer.trace import trace

    return trace(tiny_llama, "the cat sat on the mat")
