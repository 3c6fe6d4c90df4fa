"""The kinds of question as data: spec checks, answers read as the class means them, reveal tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from classroom import questions
from classroom.errors import Refused
from classroom.shared import mask_text
from tests.conftest import mid_sentence_id
from tests.unit.classroom.examples import KINDS, spec


def tally(*pairs: tuple[str, int]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["answer", "count"])


def test_the_five_kinds_are_the_issues_and_each_documents_its_spec_and_reveal():
    assert (
        tuple(questions.KINDS)
        == KINDS
        == ("next_token", "closer_pair", "attention", "number", "continuation")
    )
    for name, kind in questions.KINDS.items():
        assert kind.name == name and kind.title and kind.answer
        assert set(kind.fields) >= {key for key in spec(name) if key not in ("unit", "decimals")}
        reveal = questions.reveal_table(name, spec(name), tally())  # nobody answered: still a table
        assert list(reveal.table.columns) == list(kind.columns), name
        assert set(reveal.summary) == set(kind.summary), name
        assert reveal.summary["answers"] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_good_spec_is_kept_as_json_text_that_reads_back_equal(kind):
    import json

    assert json.loads(questions.check_spec(kind, spec(kind))) == spec(kind)


BAD_SPECS = [
    ("next_token", lambda s: s.pop("prompt"), "'prompt'"),
    ("next_token", lambda s: s["top_tokens"].reverse(), "falling probability"),
    ("next_token", lambda s: s["top_tokens"].extend(s["top_tokens"] * 3), "1 to 10"),
    ("next_token", lambda s: s["top_tokens"][0].update(probability=1.5), "between 0 and 1"),
    ("next_token", lambda s: s["top_tokens"][1].update(id=7042), "distinct"),
    ("next_token", lambda s: s["top_tokens"][0].update(id=True), "Entry 1 of 'top_tokens' needs 'id'"),
    ("closer_pair", lambda s: s["pairs"].pop() and s["pairs"].pop(), "2 to 4"),
    ("closer_pair", lambda s: s["pairs"][0].update(cosine="high"), "Entry 1 of 'pairs' needs 'cosine'"),
    ("closer_pair", lambda s: s.update(baseline=math.nan), "plain JSON"),
    ("closer_pair", lambda s: s.update(baseline=None), "'baseline'"),
    ("closer_pair", lambda s: s["pairs"].append(dict(s["pairs"][0])), "different pairs"),
    ("attention", lambda s: s.update(query=9), "query position"),
    ("attention", lambda s: s["weights"].extend([0.0, 0.0]), "attention row"),
    ("attention", lambda s: s["weights"].__setitem__(0, 0.9), "add up to 1"),
    ("attention", lambda s: s.update(tokens=["one"]), "'tokens'"),
    ("number", lambda s: s.update(value="0.68"), "'value'"),
    ("number", lambda s: s.update(decimals=12), "decimals"),
    ("continuation", lambda s: s["continuations"][0].update(temperature=0.2), "Exactly one"),
    ("continuation", lambda s: s["continuations"].pop(), "3 to 3"),
    (
        "continuation",
        lambda s: s["continuations"][2].update(seed=1.5),
        "Entry 3 of 'continuations' needs 'seed'",
    ),
]


@pytest.mark.parametrize(("kind", "spoil", "message"), BAD_SPECS)
def test_a_bad_spec_is_refused_with_a_sentence_naming_what_is_wrong(kind, spoil, message):
    bad = spec(kind)
    spoil(bad)
    with pytest.raises(Refused, match=message):
        questions.check_spec(kind, bad)


def test_a_spec_must_be_plain_json_of_at_most_16_kb_and_the_kind_must_exist():
    with pytest.raises(ValueError, match="Unknown kind .*next_token, closer_pair"):
        questions.check_spec("poll", spec("number"))
    for not_json in ({"value": (1, 2)}, {1: "a"}, {"value": math.inf}, ["a list"], {"f": print}):
        with pytest.raises(Refused, match="plain JSON|must be a dict"):
            questions.spec_text(not_json)
    big = spec("number") | {"note": "x" * (16 * 1024)}
    with pytest.raises(Refused, match="limit is 16 KB"):
        questions.check_spec("number", big)
    just_fits = spec("number")
    just_fits["note"] = ""
    just_fits["note"] = "x" * (16 * 1024 - len(questions.spec_text(just_fits).encode()))
    assert len(questions.check_spec("number", just_fits).encode()) == 16 * 1024


# --------------------------------------------------------------------------- answers


def test_next_token_guesses_become_the_models_tokens(byte_level):
    rome = mid_sentence_id(byte_level, "Rome")
    paris = mid_sentence_id(byte_level, "Paris")
    top = [
        {"id": paris, "token": "␣Paris", "probability": 0.5},
        {"id": rome, "token": "␣Rome", "probability": 0.2},
    ]
    asked = {"prompt": "The capital of France is", "model": "tiny", "top_tokens": top}
    read = lambda guess: questions.normalise_answer("next_token", asked, guess, byte_level)  # noqa: E731
    assert read("Paris") == read(" paris ") == "␣Paris"  # letter case and spaces aside, a top token
    assert read("Rome.") == "␣Rome"  # the model's first token of the guess, found by its id
    berlin = byte_level.decode([byte_level.encode(" Berlin", add_special_tokens=False)[0]])
    assert read("Berlin") == berlin.replace(" ", "␣")  # outside the top list: the token as shown
    without = questions.normalise_answer("next_token", asked, "Berlin")  # no tokenizer: the word
    assert without == "␣Berlin"
    after_space = asked | {"prompt": "The capital of France is "}
    assert questions.normalise_answer("next_token", after_space, "Berlin") == "Berlin"


def test_free_text_is_masked_and_limited_to_60_characters():
    masked = questions.normalise_answer("next_token", spec("next_token"), "sexual")
    assert masked == "␣" + mask_text("sexual")[0] and "sexual" not in masked
    assert len(questions.normalise_answer("next_token", spec("next_token"), "a" * 60)) == 61
    for bad, message in [("a" * 61, "61 characters long; the limit is 60"), ("   ", "empty"), (None, "text")]:
        with pytest.raises(Refused, match=message):
            questions.normalise_answer("next_token", spec("next_token"), bad)


@pytest.mark.parametrize(
    ("typed", "counted"),
    [("0.68", "0.68"), ("−0,5", "-0.5"), ("50%", "0.5"), ("1e-3", "0.001"), (" 3 ", "3"), (2, "2"),
     ("-0", "0"), ("0.123456789", "0.123457"), ("1,234.5", "1234.5"), ("7 km", "7")],
)  # fmt: skip
def test_a_number_is_read_however_it_is_typed(typed, counted):
    asked = spec("number") | {"unit": "km"} if typed == "7 km" else spec("number")
    assert questions.normalise_answer("number", asked, typed) == counted


@pytest.mark.parametrize("typed", ["about half", "nan", "inf", "1/2", ""])
def test_a_number_that_is_not_one_is_refused(typed):
    with pytest.raises(Refused):
        questions.normalise_answer("number", spec("number"), typed)


def test_a_choice_is_one_of_the_options_by_its_text_or_its_index():
    assert questions.options("number", spec("number")) is None
    assert questions.options("closer_pair", spec("closer_pair")) == [
        "king – queen",
        "king – banana",
        "river – bank",
    ]
    assert questions.options("attention", spec("attention")) == [
        "0: The",
        "1: ␣cat",
        "2: ␣sat",
        "3: ␣on",
        "4: ␣the",
    ]
    assert questions.options("continuation", spec("continuation")) == ["A", "B", "C"]
    assert questions.normalise_answer("closer_pair", spec("closer_pair"), "KING – QUEEN") == "king – queen"
    assert questions.normalise_answer("attention", spec("attention"), 1) == "1: ␣cat"
    assert questions.normalise_answer("continuation", spec("continuation"), "b") == "B"
    for kind, bad in [
        ("continuation", "D"),
        ("continuation", 3),
        ("attention", "5: ␣mat"),
        ("closer_pair", True),
    ]:
        with pytest.raises(Refused, match="not one of the choices"):
            questions.normalise_answer(kind, spec(kind), bad)


# --------------------------------------------------------------------------- reveals


def test_next_token_reveal_puts_the_guesses_beside_the_models_top_tokens():
    votes = tally(("␣Paris", 3), ("␣London", 5), ("␣Lyon", 1))
    reveal = questions.reveal_table("next_token", spec("next_token"), votes)
    table = reveal.table.set_index("token")
    assert list(reveal.table["token"][:2]) == ["␣London", "␣Paris"]  # most votes first
    assert table.loc["␣Paris", "rank"] == 1 and table.loc["␣Paris", "probability"] == 0.42
    assert pd.isna(table.loc["␣London", "rank"]) and math.isnan(table.loc["␣London", "probability"])
    assert table.loc["␣the", "votes"] == 0 and table["in_top"].sum() == 4
    assert table["share"].sum() == pytest.approx(1.0)
    summary = dict(reveal.summary)
    assert math.isnan(summary.pop("favourite_probability"))  # London is not among the top tokens
    assert summary == {
        "answers": 9, "favourite": "␣London", "top_token": "␣Paris", "top_token_probability": 0.42,
        "guessed_top_token": 3,
    }  # fmt: skip
    probabilities = {"␣London": 0.004}
    known = questions.reveal_table("next_token", spec("next_token"), votes, probability_of=probabilities.get)
    assert known.summary["favourite_probability"] == 0.004


def test_closer_pair_reveal_shows_cosines_baseline_and_votes():
    reveal = questions.reveal_table(
        "closer_pair", spec("closer_pair"), tally(("river – bank", 4), ("king – queen", 2))
    )
    table = reveal.table
    assert list(table["pair"]) == ["king – queen", "king – banana", "river – bank"]  # the spec's order
    assert list(table["votes"]) == [2, 0, 4] and list(table["closest"]) == [True, False, False]
    assert table["above_baseline"].tolist() == pytest.approx([0.56, 0.09, 0.32])
    assert reveal.summary == {"answers": 6, "baseline": 0.12, "closest": "king – queen", "correct": 2}


def test_attention_reveal_shows_the_attention_row_beside_the_votes():
    reveal = questions.reveal_table("attention", spec("attention"), tally(("1: ␣cat", 3), ("0: The", 1)))
    assert list(reveal.table["weight"]) == spec("attention")["weights"]
    assert list(reveal.table["votes"]) == [1, 3, 0, 0, 0] and reveal.table["most_attended"].tolist()[0]
    assert reveal.summary["most_attended"] == "0: The" and reveal.summary["correct"] == 1
    assert reveal.summary["query_token"] == "␣the" and (reveal.summary["layer"], reveal.summary["head"]) == (
        3,
        1,
    )


def test_number_reveal_is_a_histogram_that_holds_the_true_value():
    guesses = tally(("0.5", 4), ("0.7", 3), ("0.9", 2), ("-0.2", 1))
    reveal = questions.reveal_table("number", spec("number"), guesses)
    table = reveal.table
    assert table["count"].sum() == 10 and 5 <= len(table) <= 12
    assert (table["high"] > table["low"]).all() and table["low"].min() == -0.2 and table["high"].max() == 0.9
    (holding,) = table.index[table["holds_true_value"]]
    assert table["low"][holding] <= 0.68 < table["high"][holding]
    assert reveal.summary["median_guess"] == 0.6 and reveal.summary["within_10_percent"] == 3
    beyond = questions.reveal_table("number", spec("number") | {"value": 5.0}, guesses).table
    assert beyond["high"].max() == 5.0 and beyond["holds_true_value"].iloc[-1]  # the range reaches it


def test_continuation_reveal_marks_the_one_from_the_asked_temperature():
    reveal = questions.reveal_table("continuation", spec("continuation"), tally(("A", 2), ("B", 5)))
    assert list(reveal.table["is_answer"]) == [False, True, False]
    assert list(reveal.table["temperature"]) == [2.0, 0.2, 1.0] and list(reveal.table["votes"]) == [2, 5, 0]
    assert reveal.summary == {"answers": 7, "answer": "B", "correct": 5}
