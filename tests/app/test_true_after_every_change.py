"""Issue 23, item 1: the screen is true after every change.

Every page is driven through the changes a class makes upstream of its pickers (a new prompt, a
preset button, another model, a new word list, new sentences, a link), and after each one every
widget whose options or default come from other inputs (ui/page/dependent.py records them) is
walked: it shows one of its current options, and it shows the new default unless the user's own
choice still stands for the same thing. Then the titles and charts it controls are read: they name
what the box shows. Last, the 🔗 notice: only when a link opens a page, in words, and true.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geometry.models.catalogue import ENCODER_NAME
from geometry.transformer import readings
from geometry.transformer import trace as tr
from tests.app.test_true_words import raw_headers, shown
from ui.page.dependent import RECORDS, Shown

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def open_page(script: str, opened: tuple[str, ...] = (), **query: str) -> AppTest:
    """``script`` opened by a link with ``query``, its folded sections ``opened`` (keys) open."""
    at = AppTest.from_file(str(ROOT / script), default_timeout=600)
    at.query_params.update(query)
    for key in opened:
        at.session_state[key] = True
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# --------------------------------------------------------------------------- the generic walk


def widgets_by_key(at: AppTest) -> dict[str, object]:
    """Every keyed widget on the page, by key."""
    found: dict[str, object] = {}

    def walk(node: object) -> None:
        key = getattr(node, "key", None)
        if isinstance(key, str) and hasattr(node, "value"):
            found[key] = node
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return found


def label_shown(node: object) -> str:
    """What the widget shows, as the page's records write it (an option's label; a number; a tuple)."""
    value = node.value
    if isinstance(value, list | tuple):
        return repr(tuple(value))
    return str(node.format_func(value)) if hasattr(node, "format_func") else str(value)


def offers(record: Shown, label: str) -> bool:
    """Whether ``label`` is among the options the widget offered on that run."""
    if record.options and all(o.lstrip("-").isdigit() for o in record.options) and len(record.options) == 2:
        low, high = (int(o) for o in record.options)  # a slider or number box: its two ends
        numbers = re.findall(r"-?\d+", label)
        return bool(numbers) and all(low <= int(n) <= high for n in numbers)
    if label.startswith("("):  # several values: each must be offered
        return all(offers(record, part) for part in re.findall(r"'([^']*)'", label))
    return label in record.options


def check_dependents(at: AppTest, before: dict[str, Shown] | None = None, set_by_step=()) -> dict:
    """Walk every dependent widget drawn on the page; after an upstream change (``before``: the
    records of the run before it), each shows its new default unless the user's choice it showed
    still stands for the same thing. ``set_by_step``: keys the step itself set (a preset's pair).
    Returns this run's records."""
    no_exception(at)
    records = dict(at.session_state[RECORDS])
    drawn = {key: node for key, node in widgets_by_key(at).items() if key in records}
    assert drawn, "no widget of this page is a dependent one"
    for key, node in drawn.items():
        record, label = records[key], label_shown(node)
        assert label == record.label, f"{key}: the box shows {label!r}, the page used {record.label!r}"
        assert offers(record, label), f"{key}: {label!r} is not one of its options {record.options}"
        if before is None or key not in before or key in set_by_step:
            continue
        old = before[key]
        if old.was_default or not offers(record, old.label or "") or old.context != record.context:
            assert record.was_default, f"{key}: {old.label!r} became {label!r}, not its default"
        else:
            assert label == old.label, f"{key}: the user's {old.label!r} became {label!r}"
    return records


def records(at: AppTest) -> dict[str, Shown]:
    return dict(at.session_state[RECORDS])


# --------------------------------------------------------------------------- Inside the model

TRACE = "lessons/trace.py"


def tournament_token(at: AppTest) -> str:
    heading = next(h.value for h in at.subheader if h.value.startswith("The dot product tournament"))
    return shown(heading).split("“", 1)[1].rstrip("”")


def test_attention_query_token_follows_a_preset_and_the_heading_names_it():
    """With "The storm is" loaded, the preset "The capital of France is" must not leave "2 ␣is" in
    the box while the chart shows position 2, "␣of" (the issue's first case)."""
    at = open_page(TRACE, tr_tab="Attention")
    before = check_dependents(at)
    assert at.selectbox(key="tr_query").format_func(at.selectbox(key="tr_query").value) == "2 ␣is"
    at.button(key="tr_preset_1").click().run()
    check_dependents(at, before)
    query = at.selectbox(key="tr_query")
    assert query.format_func(query.value) == "4 ␣is"  # the new prompt's last token
    assert tournament_token(at) == "␣is"  # the heading names the token in the box
    tournament = next(d.value for d in at.dataframe if "key_position" in d.value.columns)
    assert tournament["key_position"].tolist() == [0, 1, 2, 3, 4]  # the chart is of that query

    at.selectbox(key="tr_query").set_value(0).run()  # the user's own choice: "0 The"
    before = records(at)
    at.button(key="tr_preset_2").click().run()  # "The dog that chased the cat was": "0 The" again
    check_dependents(at, before)
    assert at.selectbox(key="tr_query").value == 0 and tournament_token(at) == "The"
    at.selectbox(key="tr_query").set_value(3).run()  # "3 ␣chased"
    before = records(at)
    at.button(key="tr_preset_0").click().run()  # "The storm is" has no "3 ␣chased": its last token
    check_dependents(at, before)
    assert at.selectbox(key="tr_query").value == 2 and tournament_token(at) == "␣is"


def test_layers_and_heads_belong_to_their_model():
    """Layer 3 of SmolLM2 is not layer 3 of the encoder: another model starts at its own default."""
    at = open_page(TRACE, tr_tab="Attention")
    at.slider(key="tr_layer").set_value(3).run()
    before = check_dependents(at)
    at.selectbox(key="tr_model").set_value(ENCODER_NAME).run()
    check_dependents(at, before)
    assert at.slider(key="tr_layer").value == 0 and at.slider(key="tr_layer").max == 5
    assert any(c.value.startswith("Full attention") for c in at.caption)  # the encoder's head 0


POSITION_PICKERS = {"Residual stream": "tr_lens_position", "MLP neurons": "tr_mlp_position",
                    "Whole model": "tr_lens_follow"}  # fmt: skip


@pytest.mark.parametrize("tab", list(POSITION_PICKERS))
def test_every_position_picker_follows_a_new_prompt(tab):
    """ "The storm is" → "The capital of France is": each tab's token box shows the new last token,
    "4 ␣is", never position 2 of the new prompt ("2 ␣of") under the old token's name."""
    at = open_page(TRACE, tr_tab=tab)
    before = check_dependents(at)
    at.button(key="tr_preset_1").click().run()
    check_dependents(at, before)
    box = at.selectbox(key=POSITION_PICKERS[tab])
    assert box.format_func(box.value) == "4 ␣is"
    if tab == "Whole model":  # the line drawn is the position in the box
        assert any("at position 4 (␣is)" in shown(m.value) for m in at.markdown)


def test_switched_off_heads_belong_to_their_model():
    """Heads switched off in SmolLM2 are not switched off in the encoder (L5H2 there is another head)."""
    at = open_page(TRACE, tr_tab="Experiments")
    at.multiselect(key="tr_ablate").select("L5H2").run()
    before = check_dependents(at)
    at.selectbox(key="tr_model").set_value(ENCODER_NAME).run()
    check_dependents(at, before)
    assert at.multiselect(key="tr_ablate").value == []
    assert any("Nothing is changed yet" in i.value for i in at.info)


def test_why_this_token_answers_follow_their_own_prompts(causal_lm):
    """The corrupted prompt "The capital of Italy is" has its own top token ␣Rome: the corrupted
    answer is ␣Rome, not the first token of a list; the target is the prompt's own top token."""
    at = open_page(
        TRACE, opened=("tr_more_patching",), tr_tab="Why this token", tr_prompt="The capital of France is"
    )
    check_dependents(at)
    names = {key: at.selectbox(key=key) for key in ("tr_why_target", "tr_patch_target", "tr_patch_other")}
    shown_names = {key: box.format_func(box.value) for key, box in names.items()}
    assert shown_names == {"tr_why_target": "␣Paris", "tr_patch_target": "␣Paris", "tr_patch_other": "␣Rome"}
    assert any(shown(m.value).startswith("The logit of ␣Paris is") for m in at.markdown)
    before = records(at)
    at.button(key="tr_preset_0").click().run()  # "The storm is": its own top token, not ␣Paris
    check_dependents(at, before)
    top = readings.next_tokens(causal_lm, tr.trace(causal_lm, "The storm is"), k=1)["token"].iloc[0]
    target = at.selectbox(key="tr_why_target")
    assert target.format_func(target.value) == top
    assert any(shown(m.value).startswith(f"The logit of {top} is") for m in at.markdown)


def test_the_second_model_is_one_this_machine_has_and_never_the_first():
    at = open_page(TRACE, tr_tab="Architectures", tr_compare="true")
    before = check_dependents(at)
    second = at.selectbox(key="tr_compare_model").value
    assert second == ENCODER_NAME  # gpt2 is not on this machine; the encoder is
    at.selectbox(key="tr_model").set_value(ENCODER_NAME).run()  # the second model cannot be the first
    check_dependents(at, before)
    assert at.selectbox(key="tr_compare_model").value != ENCODER_NAME
    assert not any("not available" in i.value for i in at.info)


# --------------------------------------------------------------------------- Words in context

CONTEXT = "lessons/context.py"


def test_context_layers_follow_the_model_and_the_headings_name_them():
    """Switching to the 30-layer causal model must not keep "layer 6" (the encoder's last)."""
    at = open_page(CONTEXT)
    before = check_dependents(at)
    assert at.select_slider(key="cx_layer").value == "layer 6"
    at.radio(key="cx_model").set_value("causal LM").run()
    check_dependents(at, before)
    assert at.select_slider(key="cx_layer").value == "layer 30"
    assert at.select_slider(key="cx_focus_layer").value == 30
    assert any(h.value == "Cosine between occurrences at layer 30" for h in at.subheader)
    assert all(c.value.startswith("At layer 30") for c in at.caption if "looks most at" in c.value)
    at.select_slider(key="cx_layer").set_value("layer 3").run()  # the user's own layer of this model
    before = records(at)
    at.radio(key="cx_model").set_value("encoder").run()  # another model: its own last layer
    check_dependents(at, before)
    assert at.select_slider(key="cx_layer").value == "layer 6"


def test_context_occurrences_follow_new_sentences():
    """S2 of the bank sentences is not S2 of the crane sentences: new sentences, the new default pair."""
    at = open_page(CONTEXT)
    at.selectbox(key="cx_focus_b").set_value("S2").run()  # the user's own second occurrence
    before = check_dependents(at)
    at.selectbox(key="cx_preset").set_value("crane").run()
    check_dependents(at, before)
    options = [
        option.split(" · ") for option in at.selectbox(key="cx_focus_b").options
    ]  # label · sense · text
    other_sense = next(label for label, sense, _ in options if sense != options[0][1])
    first, second = at.selectbox(key="cx_focus_a").value, at.selectbox(key="cx_focus_b").value
    assert (first, second) == ("S1", other_sense)  # the default pair of the crane sentences
    assert any(shown(m.value).startswith(f"**{second} ·") for m in at.markdown)  # its sentence is drawn


# --------------------------------------------------------------------------- Dot products

DOT_PRODUCTS = "lessons/dot_products.py"


def pair_labels(at: AppTest) -> tuple[str, str]:
    return tuple(shown(m.label).strip("|") for m in at.metric if m.label.startswith(("|", "\\|")))


def test_a_preset_and_its_caption_describe_the_boxes_after_every_change():
    """Start here's "dot product" step opens hand-made vectors: the preset box names their preset."""
    at = open_page(DOT_PRODUCTS, dp_source="hand-made")  # Start here's "dot product" step
    check_dependents(at)
    name = at.selectbox(key="dp_preset").value
    assert name == "By hand: king and queen (128)"
    assert pair_labels(at) == ("king", "queen")
    at.selectbox(key="dp_preset").set_value("By hand: dog and cat (0.64)").run()
    before = check_dependents(at)
    assert pair_labels(at) == ("dog", "cat")
    at.text_area(key="dp_vectors").input("dog = [1, 2, 3]\ncat = [3, 2, 1]").run()  # no preset's numbers
    check_dependents(at, before)
    assert at.selectbox(key="dp_preset").value == "(your own entries)"
    assert any(c.value.startswith("Your own entries") for c in at.caption)
    # words: the pair shown is of the new list; the user's own choice stays while it is in the list
    at.radio(key="dp_source").set_value("static").run()
    at.text_area(key="dp_words").input("apple, pear, plum").run()
    before = check_dependents(at)
    assert pair_labels(at) == ("apple", "pear")
    at.selectbox(key="dp_b").set_value("plum").run()
    before = records(at)
    at.text_area(key="dp_words").input("plum, fig, apple").run()
    check_dependents(at, before)
    assert at.selectbox(key="dp_b").value == "plum" and pair_labels(at)[1] == "plum"


# --------------------------------------------------------------------------- Learning


def test_learning_follows_a_new_text_and_heads_its_tables_in_words():
    """The token whose neighbours are listed is one of the new text's; no token_id or output_norm."""
    at = open_page("lessons/learning.py", ln_train="true", ln_steps="1")
    before = check_dependents(at)
    at.selectbox(key="ln_preset").set_value("The cat sat").run()
    check_dependents(at, before)
    assert at.selectbox(key="ln_token").value == at.selectbox(key="ln_token").options[0]
    assert [header for table in at.dataframe for header in raw_headers(table)] == []


# --------------------------------------------------------------------------- the 🔗 notice

NOTICE = "This link asked for settings"


def through_the_app(script: str, **query: str) -> AppTest:
    """``script`` opened by a link inside the app (app.py around it, as a browser gets it)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()  # Start here
    at.query_params.update(query)
    at.switch_page(script)
    return at.run()


PROJECTIONS = "lessons/projections.py"


def link_notices(at: AppTest) -> list[str]:
    return [shown(i.value) for i in at.info if NOTICE in i.value or "Not settings of this page" in i.value]


def test_the_notice_names_the_setting_in_words_and_what_the_page_shows_instead():
    at = through_the_app(TRACE, tr_tab="Attention", tr_prompt="The capital of France is", tr_query="2 ␣is")
    no_exception(at)
    assert link_notices(at) == [
        "This link asked for settings this page cannot show here, so it shows others: **Query token "
        "(Attention tab)** shows “4 ␣is” (the link asked for “2 ␣is”)."
    ]
    assert at.selectbox(key="tr_query").value == 4 and tournament_token(at) == "␣is"  # what it says
    at.slider(key="tr_layer").set_value(3).run()  # the user's own edit: the link is not read again
    assert link_notices(at) == []


def test_a_link_the_page_follows_gets_no_notice_and_the_chosen_word_follows_the_words():
    """The URL writes the method as the box shows it ("t-SNE"); the page keeps "tsne": the same.
    Another word set: the chosen word is one of its words, and the neighbours name it."""
    at = through_the_app(PROJECTIONS, pj_method="t-SNE", pj_view="Word sets")
    before = check_dependents(at)
    assert at.selectbox(key="pj_method").value == "tsne"
    assert link_notices(at) == []
    at.selectbox(key="pj_preset").set_value("Countries and capitals").run()
    check_dependents(at, before)
    word = at.selectbox(key="pj_focus").value
    assert any(shown(m.value).startswith(f"**{word}**:") for m in at.markdown)
    assert link_notices(at) == []


def test_names_a_page_does_not_have_are_said_as_left_out():
    at = through_the_app(DOT_PRODUCTS, dp_k="12", zz="1")
    no_exception(at)
    assert link_notices(at) == ["Not settings of this page, so left out: “zz”."]
