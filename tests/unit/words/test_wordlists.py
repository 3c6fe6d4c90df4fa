"""Word lists as people type them (geometry/words/wordlists.py): parsing, problems, tokenization."""

import pytest

from geometry.words import wordlists

KING, QUEEN = [9, -5, 6], [8, -4, 6]


# ------------------------------------------------------------------ word lists


def test_word_list_cleaning():
    parsed = wordlists.parse_word_list(" dog,\n\ncat , dog,🙂, !!!, x\x07y")
    assert parsed.words == ("dog", "cat")
    assert parsed.notices == ("'dog' appeared 2 times; it is used once.",)
    assert len(parsed.dropped) == 3 and all(message.startswith("Left out") for message in parsed.dropped)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Type some words"),
        (" , ,\n", "Type some words"),
        (", ".join(f"w{i}" for i in range(41)), "limit is 40"),
        ("a" * 3001, "3,001"),
    ],
)
def test_word_list_refusals(text, fragment):
    with pytest.raises(ValueError) as error:
        wordlists.parse_word_list(text)
    assert fragment in str(error.value)


def test_clean_word_reasons():
    assert wordlists.clean_word(" king ") == "king"
    for text, fragment in [
        ("", "Type a word"),
        ("x" * 61, "more than the limit"),
        ("a\tb", "control"),
        ("?!", "no letters"),
    ]:
        with pytest.raises(ValueError, match=fragment):
            wordlists.clean_word(text)


def test_tokenize_words_keeps_the_good_and_explains_the_rest(tiny_gpt2):
    kept, problems = wordlists.tokenize_words(["dog", "x" * 70], tiny_gpt2)
    assert [t.word for t in kept] == ["dog"] and len(problems) == 1


def test_tokenization_table_says_how_each_vector_is_made(tiny_gpt2):
    kept, _ = wordlists.tokenize_words(["dog", "dogs chase"], tiny_gpt2)
    table = wordlists.tokenization_table(kept)
    assert table.columns.tolist() == ["word", "tokens", "vector"]
    assert table["word"].tolist() == ["dog", "dogs chase"]
    for row, tokens in zip(table.itertuples(), kept, strict=True):
        assert row.tokens.count(" · ") == len(tokens.ids) - 1
        assert row.vector == (
            "row of one token" if len(tokens.ids) == 1 else f"mean of {len(tokens.ids)} rows"
        )
    assert wordlists.tokenization_table([]).columns.tolist() == ["word", "tokens", "vector"]
