"""Hand-made vectors: parsing what a person types, and the dot product step by step."""

import numpy as np
import pytest

from geometry.words import handmade
from geometry.words.handmade import multiplication_table, number_text, parse_vectors, worked_sum
from geometry.words.vectors import dot

KING_QUEEN = "king = [9, -5, 6]\nqueen = [8, -4, 6]"


# ------------------------------------------------------------------ parse_vectors


def test_the_seed_vectors_parse_in_order():
    vectors = parse_vectors(KING_QUEEN)
    assert list(vectors) == ["king", "queen"]
    assert vectors["king"].tolist() == [9.0, -5.0, 6.0]
    assert dot(vectors["king"], vectors["queen"]) == 128.0


@pytest.mark.parametrize(
    "text",
    [
        "king: 9 -5 6\nqueen: 8 -4 6",  # colon, spaces, no brackets
        "  king = (9, -5, 6)  \n\n queen=[8,-4,6]",  # blank lines, parentheses, no spaces
        "king = [9, −5, 6]\nqueen = [8, −4, 6]",  # typographic minus signs
    ],
)
def test_forgiving_formats_give_the_same_vectors(text):
    vectors = parse_vectors(text)
    assert dot(vectors["king"], vectors["queen"]) == 128.0


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "at least one vector"),
        ("   \n \n", "at least one vector"),
        ("king [9, -5, 6]", "needs a name, '='"),
        ("= [1, 2]", "no name"),
        ("king = []", "no numbers"),
        ("king = [9, x, 6]", "'x' is not a number"),
        ("king = [1e309, 1, 2]", "too large"),
        ("king = [nan, 1, 2]", "'nan' is not a number"),
        ("king = [1e308, 1, 2]", "too large for a hand-made vector"),
        ("king = [-2e6, 1, 2]", "between -1,000,000 and 1,000,000"),
        ("king = [9, -5, 6]\nqueen = [8, -4]", "king has 3, queen has 2"),
        ("king = [1, 2]\nking = [3, 4]", "defined twice"),
        ("v = [" + ", ".join(["1"] * 13) + "]", "limited to 12 dimensions"),
        ("\n".join(f"v{i} = [1, 2]" for i in range(13)), "limit of 12"),
        ("k\x00ing = [1, 2]", "plain name"),
        ("k" * 31 + " = [1, 2]", "plain name"),
        ("king = [1, 2]\n" * 200, "limit is 2,000"),
    ],
)
def test_bad_input_raises_a_message_for_people(text, fragment):
    with pytest.raises(ValueError) as error:
        parse_vectors(text)
    assert fragment in str(error.value)


def test_error_messages_name_the_line():
    with pytest.raises(ValueError, match="Line 2 \\(queen\\)"):
        parse_vectors("king = [1, 2]\nqueen = [1, two]")


# ------------------------------------------------------------------ steps


def test_multiplication_table_shows_every_step_and_the_total():
    table = multiplication_table([9, -5, 6], [8, -4, 6], "king", "queen")
    assert list(table.columns) == ["dimension", "king", "queen", "step", "product", "running sum"]
    assert table["step"].tolist() == ["9 × 8 = 72", "-5 × -4 = 20", "6 × 6 = 36"]
    assert table["product"].tolist() == [72.0, 20.0, 36.0]
    assert table["running sum"].iloc[-1] == 128.0
    assert table["dimension"].tolist() == [0, 1, 2]


def test_multiplication_table_keeps_columns_unique():
    same = multiplication_table([1, 2], [3, 4], "v", "v")
    reserved = multiplication_table([1, 2], [3, 4], "product", "step")
    assert same.columns.is_unique and reserved.columns.is_unique
    assert same["running sum"].iloc[-1] == 11.0


def test_decimals_read_like_the_seed():
    assert (
        worked_sum([0.7, 0.2, 0.5], [0.6, 0.1, 0.4])
        == "(0.7)(0.6) + (0.2)(0.1) + (0.5)(0.4) = 0.42 + 0.02 + 0.2 = 0.64"
    )
    assert worked_sum([9, -5, 6], [8, -4, 6]).endswith("= 128")


def test_the_narrow_form_wraps_and_keeps_the_total_on_its_own_line():
    """A phone shows the sum as aligned lines: twelve products four a line, the total last."""
    text = worked_sum(list(range(1, 13)), [1] * 12, per_line=4)
    lines = text.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}").split(r" \\ ")
    assert len(lines) == 3 + 3 + 1 and lines[-1] == "&= 78"
    assert all(line.count("+") <= 4 for line in lines)
    assert worked_sum([9, -5, 6], [8, -4, 6], per_line=3).endswith(r"&= 128\end{aligned}")


def test_unequal_lengths_cannot_be_multiplied():
    with pytest.raises(ValueError, match="same length"):
        multiplication_table([1, 2, 3], [1, 2], "a", "b")
    with pytest.raises(ValueError, match="same length"):
        worked_sum([1, 2, 3], [1, 2])


def test_number_text_drops_float_noise():
    assert number_text(0.1 + 0.2) == "0.3"
    assert number_text(128.0) == "128"
    assert number_text(-1e-7) == "-1e-07"


def test_limits_are_small_enough_to_do_by_hand():
    assert handmade.MAX_DIMENSIONS <= 12 and handmade.MAX_VECTORS <= 12
    assert parse_vectors("a = [1e6, -1e6]")["a"].tolist() == [1e6, -1e6]
    with pytest.raises(ValueError, match="too large"):  # 1e300² overflows: inf and nan on screen
        parse_vectors("a = [1e300]")


def test_named_rows_picks_rows_by_name_and_names_what_is_missing():
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert handmade.named_rows(["a", "b", "c"], X, ["c", "a"]).tolist() == [[5.0, 6.0], [1.0, 2.0]]
    with pytest.raises(ValueError, match="names from the box: z"):
        handmade.named_rows(["a", "b", "c"], X, ["a", "z"])
