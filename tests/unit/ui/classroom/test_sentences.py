"""The class's words (ui/classroom/sentences.py): each question in words, and the sentence that reads
each reveal aloud from the reveal's own numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from classroom import reveal_table
from tests.unit.classroom.examples import KINDS, spec
from ui.classroom.sentences import WORDING_KEY, reveal_sentence, shown_number, wording


def sentence(kind: str, votes: dict[str, int], **extra) -> str:
    tally = pd.DataFrame({"answer": list(votes), "count": list(votes.values())})
    question = spec(kind)
    return reveal_sentence(kind, question, reveal_table(kind, question, tally, **extra).summary)


@pytest.mark.parametrize("kind", KINDS)
def test_every_question_has_words_and_the_spec_may_carry_its_own(kind):
    made = wording(kind, spec(kind))
    assert made.endswith(("?", ".")) and len(made) < 200
    assert wording(kind, {**spec(kind), WORDING_KEY: "Guess!"}) == "Guess!"


def test_the_next_token_reveal_names_the_top_token_the_favourite_and_the_models_probability():
    said = sentence("next_token", {"␣Lyon": 3, "␣Paris": 1})
    assert "**␣Paris** (42%): 1 of 4 students guessed it" in said
    assert "favourite was **␣Lyon**; the model gives it 2%" in said
    unknown = sentence("next_token", {"␣Nice": 2}, probability_of=lambda token: None)
    assert "the model's probability for it is not known here" in unknown


def test_the_number_reveal_gives_the_true_value_and_the_median_guess():
    said = sentence("number", {"0.5": 1, "0.7": 2})
    assert said.startswith("The true value is **0.68**. The median guess was 0.70")
    assert "2 of 3 students guessed within 10 % of it" in said
    assert sentence("number", {}) == "The true value is **0.68**. Nobody answered."


def test_the_choice_reveals_name_the_answer_and_how_many_chose_it():
    assert "closest pair is **king – queen** (cosine 0.68, +0.56 against the baseline of 0.12" in sentence(
        "closer_pair", {"king – queen": 1, "river – bank": 1}
    )
    assert "**␣the** looks most at **0: The** (50% of its attention); 1 of 1 student chose it" in sentence(
        "attention", {"0: The": 1}
    )
    assert sentence("continuation", {"A": 2}).startswith(
        "Continuation **B** came from temperature 0.2 (seed 7); 0 of 2 students chose it"
    )


def test_numbers_are_written_for_the_class():
    assert shown_number(49152, 0, "rows") == "49,152 rows"
    assert shown_number(0.25, 2, "%") == "0.25%"
    assert shown_number(-1.5) == "-1.5"
