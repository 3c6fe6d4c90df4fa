"""The "Inside the model" page driven by AppTest: presets, pickers, experiments, decoding, bad prompts."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from geometry.interpret import lens as interpret_lens
from geometry.models.catalogue import ENCODER_NAME
from geometry.transformer import counting, readings
from geometry.transformer import trace as tr
from geometry.transformer.sampling import next_token_probs
from ui.trace.tabs import TABS

PAGE = str(Path(__file__).resolve().parents[2] / "lessons" / "trace.py")
pytestmark = pytest.mark.slow


HEADS, NEURON = "tr_more_heads", "tr_more_neuron"  # the Whole model tab's folded sections
WHY_HEADS, PATCHING = "tr_more_why_heads", "tr_more_patching"  # and Why this token's


def page(tab: str | None = None, prompt: str | None = None, opened: tuple[str, ...] = ()) -> AppTest:
    """The page on ``tab`` with ``prompt``, its folded sections ``opened`` (keys) open."""
    at = AppTest.from_file(PAGE, default_timeout=180)
    if prompt is not None:
        at.session_state["tr_prompt"] = prompt
    if tab is not None:
        at.session_state["tr_tab"] = tab
    for key in opened:
        at.session_state[key] = True
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture(scope="module")
def reference(causal_lm):
    """The trace the page should show for the capital preset, computed without the page."""
    return tr.trace(causal_lm, "The capital of France is")


def test_default_prompt_shows_its_tokens_and_ids(causal_lm):
    at = page()
    no_exception(at)
    assert at.text_area(key="tr_prompt").value == "The storm is"
    tokens = at.dataframe[0].value  # rows "token" and "id", one column per position
    expected = causal_lm.tokenizer("The storm is")["input_ids"]
    assert tokens.loc["id"].astype(int).tolist() == expected
    assert tokens.loc["token"].tolist() == ["The", "␣storm", "␣is"]
    assert any("64 tokens" in c.value for c in at.caption)  # the limit is stated
    assert at.download_button(key="tr_dl_attention")


def test_preset_sets_the_prompt():
    at = page()
    at.button(key="tr_preset_1").click().run()
    no_exception(at)
    assert at.text_area(key="tr_prompt").value == "The capital of France is"
    assert at.dataframe[0].value.shape[1] == 5


def test_layer_head_and_query_pickers_show_that_heads_numbers(reference):
    at = page(prompt="The capital of France is")
    at.slider(key="tr_layer").set_value(3)
    at.slider(key="tr_head").set_value(2)
    at.selectbox(key="tr_query").set_value(4)
    at.run()
    no_exception(at)
    table = at.dataframe[1].value
    assert table["key_position"].tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(table["probability"], reference.attention[3, 2, 4], atol=1e-6)
    assert table["probability"].sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(table["scaled_score"], table["q_dot_k"] / np.sqrt(64), rtol=1e-4)
    assert any("key/value head 0" in c.value for c in at.caption)  # query head 2 shares kv head 0

    at.selectbox(key="tr_query").set_value(1).run()
    assert at.dataframe[1].value["key_position"].tolist() == [0, 1]  # the causal mask hides the future


def test_switching_a_layer_of_heads_off_changes_the_top_5(reference):
    at = page(tab="Experiments", prompt="The capital of France is")
    no_exception(at)
    assert any("unchanged" in m.value for m in at.markdown)
    at.button(key="tr_ablate_layer").click().run()  # every head of layer 0
    no_exception(at)
    assert at.multiselect(key="tr_ablate").value == [f"L0H{h}" for h in range(9)]
    assert any("**changed**" in m.value for m in at.markdown)
    table = at.dataframe[1].value
    paris = table.set_index("token").loc["␣Paris"]
    assert paris["rank_normal"] == 1 and paris["rank_experiment"] > 1


def test_dropping_the_scaling_saturates_softmax():
    at = page(tab="Experiments", prompt="The capital of France is")
    at.slider(key="tr_x_layer").set_value(5)
    at.toggle(key="tr_scale").set_value(False).run()
    no_exception(at)
    sharpest = next(m for m in at.metric if m.label == "Mean of each row's largest weight")
    assert float(sharpest.value) > float(sharpest.delta.split()[-1])  # sharper than the normal run


def test_temperature_zero_says_greedy_and_keeps_one_token(reference):
    at = page(tab="Next token", prompt="The capital of France is")
    at.slider(key="tr_temperature").set_value(0.0).run()
    no_exception(at)
    assert any("greedy" in i.value for i in at.info)
    assert metric(at, "Tokens that survive the filters") == "1"
    assert metric(at, "Greedy choice") == "␣Paris"


def test_top_k_and_top_p_mark_the_survivors(reference):
    at = page(tab="Next token", prompt="The capital of France is")
    at.slider(key="tr_top_k").set_value(3).run()
    table = at.dataframe[1].value
    assert (table["status"] == "kept").sum() == 3
    assert table["after_filters"].sum() == pytest.approx(1.0, abs=1e-6)
    at.slider(key="tr_top_k").set_value(0)
    at.slider(key="tr_top_p").set_value(0.5).run()
    expected = int(np.count_nonzero(next_token_probs(reference.logits, top_p=0.5)))
    assert metric(at, "Tokens that survive the filters") == f"{expected:,}"


def test_sampling_lab_counts_add_up():
    at = page(tab="Sampling lab", prompt="The capital of France is")
    at.slider(key="tr_top_k").set_value(4)
    at.slider(key="tr_samples").set_value(300)
    at.number_input(key="tr_seed").set_value(7).run()
    no_exception(at)
    table = at.dataframe[1].value
    assert table["samples"].sum() == 300
    assert table["probability"].sum() == pytest.approx(1.0, abs=1e-6)
    assert int(metric(at, "Tokens that can be drawn")) == 4


def test_sampling_lab_ranks_by_probability_as_the_next_token_tab_does():
    at = page(tab="Sampling lab", prompt="The capital of France is")
    at.slider(key="tr_samples").set_value(50)
    at.number_input(key="tr_seed").set_value(3).run()
    no_exception(at)
    table = at.dataframe[1].value
    assert table["probability"].is_monotonic_decreasing  # the rows follow the rank, not the draws
    assert table["rank"].tolist()[0] == 1 and table["rank"].is_monotonic_increasing
    assert any("as on the Next token tab" in c.value for c in at.caption)


def test_presenter_mode_folds_the_header_and_enlarges_chart_text():
    import json

    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["presenter"] = "true"
    at.run()
    no_exception(at)
    assert any(e.label.startswith("Model, prompt") for e in at.expander)
    assert any("reads 3 tokens" in m.value for m in at.markdown)  # the compact line
    drawn = at.get("vega_lite_chart")
    assert drawn
    for chart in drawn:
        spec = json.loads(chart.proto.spec)
        assert spec["config"]["axis"]["labelFontSize"] >= 16


def test_generate_appends_the_chosen_token_and_counts_the_cache(causal_lm):
    at = page(tab="Generate", prompt="The capital of France is")
    at.slider(key="tr_generate_n").set_value(1).run()
    no_exception(at)
    # 5 tokens of context: 4 cached and 1 computed, so 2 · layers · kv heads · 4 vectors reused
    assert metric(at, "Key and value vectors reused (4 cached tokens)") == f"{2 * 30 * 3 * 4:,}"
    assert any("5 tokens: 4 cached, 1 computed" in h.value for h in at.subheader)
    steps = next(d.value for d in at.dataframe if "key_value_vectors_reused" in d.value.columns)
    assert steps.loc[0, "cached_tokens"] == 0  # the first written token reads the whole prompt
    with_cache = int(metric(at, "Multiply-adds with the cache").replace(",", ""))
    scratch = int(metric(at, "Multiply-adds from scratch").replace(",", ""))
    assert with_cache < scratch
    at.button(key="tr_append").click().run()
    no_exception(at)
    assert at.text_area(key="tr_prompt").value == "The capital of France is Paris"
    at.button(key="tr_back").click().run()
    assert at.text_area(key="tr_prompt").value == "The capital of France is"


def test_cost_counter_matches_the_operation_counts(reference):
    at = page(tab="Cost", prompt="The capital of France is")
    no_exception(at)
    expected = counting.operation_counts(reference.architecture, reference.n_tokens)["multiply_adds"].sum()
    assert metric(at, "Multiply-adds for this prediction") == f"{expected:,}"


def test_view_is_restored_from_the_url():
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["tr_prompt"] = "The dog that chased the cat was"
    at.query_params["tr_tab"] = "Attention"
    at.query_params["tr_layer"] = "2"
    at.run()
    no_exception(at)
    assert at.text_area(key="tr_prompt").value == "The dog that chased the cat was"
    assert at.slider(key="tr_layer").value == 2


def test_gpt2_is_offered_and_says_it_is_not_available():
    at = page()
    at.selectbox(key="tr_model").set_value("gpt2").run()
    no_exception(at)
    assert any("gpt2" in e.value and "not installed" in e.value for e in at.error)
    at = page(tab="Architectures")
    at.toggle(key="tr_compare").set_value(True).run()
    no_exception(at)
    assert at.selectbox(key="tr_compare_model").value == ENCODER_NAME  # by default one that loads here
    assert not any("not available" in i.value for i in at.info)
    at.selectbox(key="tr_compare_model").set_value("gpt2").run()
    assert any("not available" in i.value for i in at.info)
    assert at.dataframe[1].value["property"].tolist()[:3] == ["family", "attention", "layers"]  # in words


@pytest.mark.parametrize(
    ("prompt", "notice"),
    [
        ("", "Type a prompt"),
        ("   ", "Type a prompt"),
        ("word " * 1000, "longer than 64 tokens"),  # 5,000 characters
        ("the storm " * 300, "longer than 64 tokens"),  # 600 words
        ("The storm 🌩️ is", "byte-sized tokens"),
        ("The\x00storm\x07is\x1b", "control characters"),
        ("<script>alert('x')</script><b>The storm</b>", None),
        ("1e309", None),
    ],
)
def test_hostile_prompts_warn_and_keep_the_text(prompt, notice):
    at = page(prompt=prompt)
    no_exception(at)
    assert at.text_area(key="tr_prompt").value == prompt
    notices = [w.value for w in at.warning] + [i.value for i in at.info]
    if notice:
        assert any(notice in n for n in notices), notices
    assert at.expander  # the explanation and glossary still render
    if prompt.startswith("<script>"):
        assert "<" in at.dataframe[0].value.loc["token"].tolist()[0]  # shown as text, not interpreted


def test_every_tab_renders():
    at = page()
    for tab in [
        "All heads",
        "Residual stream",
        "MLP neurons",
        "Whole model",
        "Why this token",
        "Sampling lab",
        "Cost",
        "Architectures",
    ]:
        at.session_state["tr_tab"] = tab
        at.run()
        no_exception(at)
        assert at.download_button, tab  # each tab offers the numbers it shows


# --------------------------------------------------------------------------- why this token


def test_why_this_token_adds_the_parts_up_to_the_models_logit(causal_lm, reference):
    at = page(tab="Why this token", prompt="The capital of France is", opened=(WHY_HEADS,))
    no_exception(at)
    paris = int(np.argmax(reference.logits))
    assert at.selectbox(key="tr_why_target").value == paris  # the top next token by default
    assert metric(at, "The model's logit") == f"{reference.logits[paris]:.3f}"
    assert metric(at, "Sum of the parts") == metric(at, "The model's logit")
    assert any(m.value.startswith("The logit of ␣Paris is") for m in at.markdown)
    other = int(readings.next_tokens(causal_lm, reference, k=2)["token_id"].iloc[1])
    at.selectbox(key="tr_why_other").set_value(other).run()
    difference = reference.logits[paris] - reference.logits[other]
    assert metric(at, "The model's logit difference") == f"{difference:.3f}"
    assert metric(at, "Sum of the parts") == f"{difference:.3f}"
    assert at.download_button(key="tr_dl_why") and at.download_button(key="tr_dl_why_heads")


def test_a_head_opens_in_the_attention_tab():
    at = page(tab="Why this token", prompt="The capital of France is", opened=(WHY_HEADS,))
    layer, head = at.selectbox(key="tr_why_head").value
    at.button(key="tr_why_open").click().run()
    no_exception(at)
    assert at.session_state["tr_tab"] == "Attention"
    assert at.slider(key="tr_layer").value == layer and at.slider(key="tr_head").value == head
    assert at.selectbox(key="tr_query").value == 4  # the last token, whose logit was taken apart


def test_patching_restores_the_whole_difference_at_the_last_layer():
    at = page(tab="Why this token", prompt="The capital of France is", opened=(PATCHING,))
    no_exception(at)
    assert at.text_input(key="tr_clean").value == "The capital of France is"
    clean, corrupted = (
        float(metric(at, "Clean logit difference")),
        float(metric(at, "Corrupted logit difference")),
    )
    assert clean > corrupted
    best = [re.search(r"restores \*\*(\d+)%\*\*", m.value) for m in at.markdown]
    assert max(int(found.group(1)) for found in best if found) >= 99  # the final layer restores all of it
    assert at.download_button(key="tr_dl_patch") and at.download_button(key="tr_dl_patch_heads")
    at.button(key="tr_patch_preset_1").click().run()
    no_exception(at)
    assert at.text_input(key="tr_corrupted").value == "The dogs that chased the cat were"


def test_prompts_of_unequal_length_get_a_message():
    at = page(tab="Why this token", opened=(PATCHING,))
    at.text_input(key="tr_corrupted").input("The capital of the United States is").run()
    no_exception(at)
    assert any("same number of tokens" in w.value for w in at.warning)
    assert metric(at, "Sum of the parts")  # the attribution above is still drawn


@pytest.fixture
def gpt2_is_the_tiny_gpt2(monkeypatch, tiny_gpt2):
    """Pretend GPT-2 downloaded: "gpt2" loads the tiny random GPT-2 (learned positions, LayerNorm, GELU)."""
    import streamlit as st

    from geometry.models import loading as models

    real, really_available = models.load_model, models.availability
    as_gpt2 = dataclasses.replace(tiny_gpt2, name="gpt2")  # the handle carries the name it was loaded by
    monkeypatch.setattr(models, "load_model", lambda name: as_gpt2 if name == "gpt2" else real(name))
    monkeypatch.setattr(
        models, "availability", lambda name: None if name == "gpt2" else really_available(name)
    )
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def test_the_gpt2_architecture_runs_every_tab(gpt2_is_the_tiny_gpt2):
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["tr_model"] = "gpt2"
    at.run()
    no_exception(at)
    assert any("rotary" not in c.value and "learned position vector" in c.value for c in at.caption)
    for tab in TABS[:-1]:  # every tab but "Architectures", checked just below with a comparison
        at.session_state["tr_tab"] = tab
        at.run()
        no_exception(at)
    at.session_state["tr_tab"] = "Architectures"
    at.run()
    at.toggle(key="tr_compare").set_value(True)
    at.selectbox(key="tr_compare_model").set_value("SmolLM2-135M-Instruct").run()
    no_exception(at)
    rows = at.dataframe[1].value.set_index("property")  # gpt2, then the other two families
    assert rows.columns.tolist() == ["gpt2", "all-MiniLM-L6-v2", "SmolLM2-135M-Instruct"]
    assert rows.loc["positions"].tolist() == ["learned", "learned", "rotary"]
    assert rows.loc["MLP"].tolist() == ["GELU", "GELU", "SwiGLU"]


def test_an_ablation_is_restored_from_the_url():
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["tr_prompt"] = "The capital of France is"
    at.query_params["tr_tab"] = "Experiments"
    at.query_params["tr_ablate"] = [f"L0H{h}" for h in range(9)]
    at.run()
    no_exception(at)
    assert at.multiselect(key="tr_ablate").value == [f"L0H{h}" for h in range(9)]
    assert any("**changed**" in m.value for m in at.markdown)


# --------------------------------------------------------------------------- the encoder


def encoder_page(
    tab: str | None = None, prompt: str = "We sat on the bank of the river.", opened: tuple[str, ...] = ()
) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["tr_model"] = ENCODER_NAME
    at.session_state["tr_prompt"] = prompt
    if tab is not None:
        at.session_state["tr_tab"] = tab
    for key in opened:
        at.session_state[key] = True
    return at.run()


def test_the_encoder_can_be_traced_and_says_what_differs(encoder):
    at = encoder_page()
    no_exception(at)
    tokens = at.dataframe[0].value
    assert (
        tokens.loc["id"].astype(int).tolist()
        == encoder.tokenizer("We sat on the bank of the river.")["input_ids"]
    )
    assert tokens.loc["token"].tolist()[0] == "[CLS]"
    assert any("is an **encoder**" in i.value for i in at.info)
    assert any("token-type vector" in c.value for c in at.caption)


@pytest.mark.parametrize("tab", ["Next token", "Why this token", "Generate", "Sampling lab"])
def test_next_token_tabs_say_in_one_line_why_they_do_not_apply(tab):
    at = encoder_page(tab)
    no_exception(at)
    assert any(f"{tab} does not apply here" in i.value and "no vocabulary head" in i.value for i in at.info)


def test_every_encoder_tab_that_makes_sense_renders(encoder):
    reference = tr.trace(encoder, "We sat on the bank of the river.")
    for tab in [
        "Attention",
        "All heads",
        "Residual stream",
        "MLP neurons",
        "Whole model",
        "Cost",
        "Experiments",
    ]:
        at = encoder_page(tab)
        no_exception(at)
        assert at.download_button, tab
    at = encoder_page("Residual stream")
    assert any("logit lens does not apply" in i.value for i in at.info)
    at = encoder_page("Cost")
    expected = counting.operation_counts(reference.architecture, reference.n_tokens)["multiply_adds"].sum()
    assert metric(at, "Multiply-adds for these vectors") == f"{expected:,}"


def test_an_encoder_experiment_moves_the_final_vectors():
    at = encoder_page("Experiments")
    assert metric(at, "Mean cosine of the final vectors") == "1.000"
    at.toggle(key="tr_mask_encoder").set_value(True).run()
    no_exception(at)
    assert float(metric(at, "Mean cosine of the final vectors")) < 0.99


def test_the_architectures_tab_compares_the_three_families():
    at = encoder_page("Architectures")
    no_exception(at)
    rows = at.dataframe[1].value.set_index("property")
    assert rows.columns.tolist()[:2] == [ENCODER_NAME, "SmolLM2-135M-Instruct"]
    assert rows.loc["attention"].tolist()[:2] == ["both ways (bidirectional)", "causal (looks back only)"]
    assert rows.loc["norm placement"].tolist()[:2] == [
        "after each residual addition (post-norm)",
        "before each sublayer (pre-norm)",
    ]
    assert rows.loc["key/value heads per layer"].tolist()[:2] == ["12", "3"]
    if len(rows.columns) == 2:  # GPT-2 is not on this machine: the page says so
        assert any("Not on this machine" in c.value and "gpt2" in c.value for c in at.caption)


# --------------------------------------------------------------------------- the whole model at a glance


def test_the_whole_model_tab_reads_the_lens_aloud_with_the_models_numbers(causal_lm, reference):
    at = page(tab="Whole model", prompt="The capital of France is", opened=(HEADS, NEURON))
    no_exception(at)
    paris = readings.next_tokens(causal_lm, reference, k=1)["probability"].iloc[0]
    line = next(m.value for m in at.markdown if "first becomes the top token" in m.value)
    assert line.startswith("␣Paris") and f"probability {paris:.1%}" in line
    assert {"tr_dl_lens_grid", "tr_dl_mv", "tr_dl_neuron_contexts", "tr_dl_neuron_tokens"} <= {
        button.key for button in at.download_button
    }
    at.text_input(key="tr_lens_target").input("London").run()
    no_exception(at)
    lens = interpret_lens.lens_table(reference, interpret_lens.target_token(causal_lm, "London")[0])
    final = lens.iloc[-1]
    line = next(m.value for m in at.markdown if m.value.startswith("␣London is never"))
    assert f"rank {final['target_rank']} with probability {final['target_probability']:.1%}" in line


@pytest.mark.parametrize(
    ("text", "notice"), [("Parisian", "is 2 tokens"), ("x" * 200, "more than the limit")]
)
def test_a_target_that_is_not_one_token_gets_a_message(text, notice):
    at = page(tab="Whole model", prompt="The capital of France is")
    at.text_input(key="tr_lens_target").input(text).run()
    no_exception(at)
    assert any(notice in m.value for m in [*at.info, *at.warning]), [m.value for m in [*at.info, *at.warning]]
    assert any("␣" in m.value and "at position 4" in m.value for m in at.markdown)  # still drawn


def test_a_neurons_contexts_are_its_activations_on_the_reference_text(causal_lm):
    from geometry.interpret import neurons

    at = page(tab="Whole model", prompt="The capital of France is", opened=(NEURON,))
    at.slider(key="tr_neuron_layer").set_value(3)
    at.number_input(key="tr_neuron").set_value(100).run()
    no_exception(at)
    contexts = next(d.value for d in at.dataframe if "context" in d.value.columns)
    own = neurons.reference_activations(causal_lm, 3).post[:, 100]
    np.testing.assert_allclose(contexts["activation"], np.sort(own)[::-1][: len(contexts)], rtol=1e-5)
    at.button(key="tr_neuron_top").click().run()
    expected = readings.top_neurons(tr.trace(causal_lm, "The capital of France is"), 3, -1, k=1)[
        "neuron"
    ].iloc[0]
    assert at.number_input(key="tr_neuron").value == expected


def test_a_head_of_the_model_view_opens_in_the_attention_tab(reference):
    at = page(tab="Whole model", prompt="The capital of France is", opened=(HEADS,))
    at.selectbox(key="tr_mv_layer").set_value(5)
    at.selectbox(key="tr_mv_head").set_value(7)
    at.button(key="tr_mv_open").click().run()
    no_exception(at)
    assert at.session_state["tr_tab"] == "Attention"
    assert (at.slider(key="tr_layer").value, at.slider(key="tr_head").value) == (5, 7)
    table = at.dataframe[1].value  # the tournament of the last token in that head
    np.testing.assert_allclose(table["probability"], reference.attention[5, 7, 4], atol=1e-6)


def test_the_model_view_draws_fewer_layers_for_a_long_prompt():
    at = page(tab="Whole model", prompt="the storm " * 40, opened=(HEADS,))
    no_exception(at)
    assert any("layers fit in one view" in c.value for c in at.caption)
    assert any("positions at a time" in c.value for c in at.caption)


def test_the_whole_model_tab_opens_on_the_lens_and_folds_the_rest_until_asked():
    """Its first screen is the lens; every head and the neuron are computed once opened, or when a
    link sets one of their settings."""
    at = page(tab="Whole model", prompt="The capital of France is")
    no_exception(at)
    keys = {button.key for button in at.download_button}
    assert "tr_dl_lens_grid" in keys and not keys & {"tr_dl_mv", "tr_dl_neuron_contexts"}
    assert {e.label for e in at.expander} >= {"One neuron, drilled down"}
    at.session_state[HEADS] = True
    at.run()
    assert "tr_dl_mv" in {button.key for button in at.download_button}
    linked = AppTest.from_file(PAGE, default_timeout=180)
    linked.query_params.update(tr_tab="Whole model", tr_neuron="100")
    linked.run()
    no_exception(linked)
    assert "tr_dl_neuron_contexts" in {button.key for button in linked.download_button}
    assert linked.number_input(key="tr_neuron").value == 100


def test_why_this_token_folds_each_heads_share_and_patching():
    at = page(tab="Why this token", prompt="The capital of France is")
    no_exception(at)
    assert metric(at, "Sum of the parts")
    assert not {"tr_dl_why_heads", "tr_dl_patch"} & {button.key for button in at.download_button}


def test_the_whole_model_tab_on_the_encoder_says_what_does_not_apply():
    at = encoder_page("Whole model", opened=(HEADS, NEURON))
    no_exception(at)
    notes = [i.value for i in at.info]
    assert any("logit lens does not apply" in n for n in notes)
    assert any("no unembedding" in n for n in notes)
    assert any("context" in d.value.columns for d in at.dataframe)  # where a neuron fires still applies
