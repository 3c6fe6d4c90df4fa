"""The five kinds of question, as data: what a spec holds, how an answer is read, what a reveal shows.

A page opens a question with a **spec**: a JSON-able dict (at most 16 KB) that it builds from the
real model at that moment and that the store keeps exactly as given. Each kind says which fields
its spec must hold (:attr:`Kind.fields`, checked by :func:`check_spec` when the question opens),
how a student's answer becomes the answer that is counted (:func:`normalise_answer`), the choices
a student picks from (:func:`options`, ``None`` for a typed answer), and how the reveal's tidy
table is built from the spec and the tally (:func:`reveal_table`). Charts and sentences are the
pages' business; nothing here draws or words a result.

Every reveal is a :class:`Reveal`: ``table`` (a tidy DataFrame, its columns in
:attr:`Kind.columns`) and ``summary`` (named numbers, in :attr:`Kind.summary`). ``share`` columns
are votes over answers (0 when nobody answered).

The kinds (``spec`` fields; the answer a student gives):

``next_token``
    ``prompt`` (text), ``model`` (its name), ``top_tokens``: 1-10 ``{"id", "token", "probability"}``
    by falling probability (``token`` as the pages show it, ``" Paris"`` as ``"␣Paris"``).
    A typed guess. It counts as a top token when it spells one (letter case and the leading space
    aside); otherwise, with the caller's tokenizer (duck-typed: ``encode(text,
    add_special_tokens=False)`` and ``decode(ids)``), as the model's first token of the guess;
    without one, as the guess itself after a space marker.
``closer_pair``
    ``model``, ``pairs``: 2-4 ``{"a", "b", "cosine"}``, ``baseline`` (the anisotropy baseline:
    the mean cosine of unrelated words). The answer is a pair, ``"king – queen"``.
``attention``
    ``model``, ``tokens``, ``query`` (position), ``layer``, ``head``, ``weights`` (the attention
    row: one weight per position the query can attend to, ``query + 1`` of them for a causal
    model, every token for an encoder). The answer is a position, ``"2: ␣cat"``.
``number``
    ``quantity`` (what is asked), ``value`` (the true value), optional ``unit`` and ``decimals``.
    A typed number (``−0,5``, ``50%`` and ``1e-3`` are read).
``continuation``
    ``prompt``, ``model``, ``temperature`` (the one asked about, e.g. 0.2), ``continuations``: 3
    ``{"text", "temperature", "seed"}``, exactly one at the asked temperature. The answer is
    ``"A"``, ``"B"`` or ``"C"``.

A choice may also be given as its index (an ``int``), as a button's callback has it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from classroom.errors import Refused
from classroom.limits import MAX_SPEC_BYTES, clean_answer
from classroom.shared import shown_text


@dataclass(frozen=True)
class Reveal:
    """A reveal's tidy table and its named numbers (documented per kind in :data:`KINDS`)."""

    table: pd.DataFrame
    summary: dict[str, Any]


@dataclass(frozen=True)
class Kind:
    """One kind of question: its spec's fields, its answers and its reveal, each documented."""

    name: str
    title: str
    fields: Mapping[str, str]  # spec field → what it holds
    answer: str  # what a student gives
    columns: Mapping[str, str]  # reveal table column → meaning
    summary: Mapping[str, str]  # reveal summary key → meaning
    check: Callable[[dict], None]
    normalise: Callable[..., str]
    options: Callable[[dict], list[str]] | None
    reveal: Callable[..., Reveal]


# --------------------------------------------------------------------------- spec checks


_TEXT, _INTEGER, _NUMBER = "text", "integer", "number"
_KIND_WORDS = {_TEXT: "text", _INTEGER: "a whole number", _NUMBER: "a finite number"}


def _is(value: object, kind: str) -> bool:
    """Whether a spec value is text, an integer, or a finite number (a bool is neither)."""
    if kind == _TEXT:
        return isinstance(value, str)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) if kind == _INTEGER else math.isfinite(value)


def _get(spec: dict, name: str, kind: str, what: str, where: str = "The question's spec") -> Any:
    """``spec[name]`` when it is of ``kind``; Refused naming the field otherwise."""
    value = spec.get(name)
    if not _is(value, kind):
        raise Refused(f"{where} needs '{name}': {what}.")
    return value


def _text(spec: dict, name: str, what: str) -> str:
    value = _get(spec, name, _TEXT, what)
    if not value.strip():
        raise Refused(f"The question's spec needs '{name}': {what} (it is empty).")
    return value


def _entries(spec: dict, name: str, low: int, high: int, keys: Mapping[str, str], what: str) -> list[dict]:
    """``spec[name]``: a list of ``low``..``high`` dicts, each with ``keys`` of those types."""
    entries = spec.get(name)
    if not isinstance(entries, list) or not low <= len(entries) <= high:
        raise Refused(f"The question's spec needs '{name}': {low} to {high} {what}.")
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise Refused(f"Entry {number} of '{name}' must be a table of {', '.join(keys)}.")
        for key, kind in keys.items():
            _get(entry, key, kind, _KIND_WORDS[kind], where=f"Entry {number} of '{name}'")
    return entries


def _in_range(value: float, low: float, high: float, what: str) -> None:
    if not low - 1e-6 <= value <= high + 1e-6:
        raise Refused(f"{what} must lie between {low:g} and {high:g} (it is {value:g}).")


def check_next_token(spec: dict) -> None:
    _text(spec, "prompt", "the text the model continues")
    _text(spec, "model", "the model's name")
    keys = {"id": _INTEGER, "token": _TEXT, "probability": _NUMBER}
    top = _entries(spec, "top_tokens", 1, 10, keys, "of the model's top tokens")
    probabilities = [entry["probability"] for entry in top]
    for entry in top:
        _in_range(entry["probability"], 0, 1, f"The probability of {entry['token']!r}")
    if any(later > earlier + 1e-9 for earlier, later in zip(probabilities, probabilities[1:], strict=False)):
        raise Refused("The top tokens must be listed by falling probability.")
    if sum(probabilities) > 1 + 1e-4 or len({entry["id"] for entry in top}) < len(top):
        raise Refused("The top tokens must be distinct tokens whose probabilities add up to at most 1.")


def check_closer_pair(spec: dict) -> None:
    _text(spec, "model", "the model's name")
    pairs = _entries(spec, "pairs", 2, 4, {"a": _TEXT, "b": _TEXT, "cosine": _NUMBER}, "word pairs")
    for pair in pairs:
        _in_range(pair["cosine"], -1, 1, f"The cosine of {pair['a']!r} and {pair['b']!r}")
    _in_range(_get(spec, "baseline", _NUMBER, "the anisotropy baseline, a cosine"), -1, 1, "The baseline")
    if len(set(closer_pair_options(spec))) < len(pairs):
        raise Refused("The word pairs must be different pairs.")


def check_attention(spec: dict) -> None:
    _text(spec, "model", "the model's name")
    tokens = spec.get("tokens")
    if (
        not isinstance(tokens, list)
        or not 2 <= len(tokens) <= 1024
        or not all(isinstance(t, str) for t in tokens)
    ):
        raise Refused("The question's spec needs 'tokens': the sentence's tokens (2 to 1024 of them).")
    query = _get(spec, "query", _INTEGER, "the query token's position")
    _in_range(query, 0, len(tokens) - 1, "The query position")
    for name in ("layer", "head"):
        _in_range(_get(spec, name, _INTEGER, f"the attention {name}, counted from 0"), 0, 1000, f"The {name}")
    weights = spec.get("weights")
    if not isinstance(weights, list) or len(weights) not in (query + 1, len(tokens)):
        raise Refused("The question's spec needs 'weights': the attention row, query + 1 or one per token.")
    if not all(_is(weight, _NUMBER) and 0 <= weight <= 1 + 1e-6 for weight in weights):
        raise Refused("Every attention weight must be a number between 0 and 1.")
    if abs(sum(weights) - 1) > 1e-3:
        raise Refused(f"The attention row must add up to 1 (it adds up to {sum(weights):.4f}).")


def check_number(spec: dict) -> None:
    _text(spec, "quantity", "what the class guesses, in words")
    _get(spec, "value", _NUMBER, "the true value, a finite number")
    if "unit" in spec:
        _get(spec, "unit", _TEXT, "the unit, as text (may be empty)")
    if "decimals" in spec:
        _in_range(_get(spec, "decimals", _INTEGER, "how many decimals to show"), 0, 6, "The decimals")


def check_continuation(spec: dict) -> None:
    _text(spec, "prompt", "the text the model continues")
    _text(spec, "model", "the model's name")
    asked = _get(spec, "temperature", _NUMBER, "the temperature the class is asked about")
    keys = {"text": _TEXT, "temperature": _NUMBER, "seed": _INTEGER}
    continuations = _entries(spec, "continuations", 3, 3, keys, "continuations")
    if sum(math.isclose(c["temperature"], asked, abs_tol=1e-9) for c in continuations) != 1:
        raise Refused(f"Exactly one of the three continuations must come from temperature {asked:g}.")


# --------------------------------------------------------------------------- answers


def _choose(choices: list[str], value: object) -> str:
    """The choice a student picked: an index, or a choice's text (letter case aside)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value < len(choices):
            return choices[value]
    elif isinstance(value, str):
        text = clean_answer(value).casefold()
        for choice in choices:
            if choice.casefold() == text:
                return choice
    raise Refused(f"That is not one of the choices. Pick one of: {', '.join(choices)}.")


def closer_pair_options(spec: dict) -> list[str]:
    return [f"{pair['a']} – {pair['b']}" for pair in spec["pairs"]]


def attention_options(spec: dict) -> list[str]:
    return [f"{position}: {token}" for position, token in enumerate(spec["tokens"][: len(spec["weights"])])]


def continuation_options(spec: dict) -> list[str]:
    return ["A", "B", "C"]


def _bare(token: str) -> str:
    return token.replace("␣", " ").strip().casefold()


def normalise_next_token(spec: dict, value: object, tokenizer: Any = None) -> str:
    """A free-text guess as a token of the model (see the module docstring)."""
    guess = clean_answer(value)
    for entry in spec["top_tokens"]:
        if _bare(entry["token"]) == guess.casefold():
            return entry["token"]
    space = "" if spec["prompt"][-1:].isspace() else " "
    if tokenizer is None or "▒" in guess:
        return shown_text(space + guess)
    ids = list(tokenizer.encode(space + guess, add_special_tokens=False))
    if not ids:
        raise Refused("That guess has no token in this model: type a word.")
    for entry in spec["top_tokens"]:
        if entry["id"] == int(ids[0]):
            return entry["token"]
    return shown_text(tokenizer.decode([int(ids[0])]))


def parse_number(value: object) -> float:
    """A typed number: a decimal comma, a Unicode minus, spaces and a trailing % are understood.

    >>> parse_number("−0,5"), parse_number("50 %"), parse_number("1e-3"), parse_number(2)
    (-0.5, 0.5, 0.001, 2.0)
    """
    text = clean_answer(value).replace("−", "-").replace(" ", "").replace("\u202f", "")
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1], 0.01
    if "," in text:
        text = text.replace(",", "") if "." in text else text.replace(",", ".")
    try:
        number = float(text) * scale
    except ValueError:
        raise Refused(f"{value!r} is not a number: type digits, for example 0.25.") from None
    if not math.isfinite(number):
        raise Refused("Type a finite number, for example 0.25.")
    return number


def normalise_number(spec: dict, value: object, tokenizer: Any = None) -> str:
    unit = spec.get("unit", "")
    text = value.strip().removesuffix(unit) if unit and unit != "%" and isinstance(value, str) else value
    number = parse_number(text)
    return f"{number + 0.0:.6g}"  # + 0.0 makes -0.0 read 0


def _choice_normaliser(choices: Callable[[dict], list[str]]) -> Callable[..., str]:
    def normalise(spec: dict, value: object, tokenizer: Any = None) -> str:
        return _choose(choices(spec), value)

    return normalise


# --------------------------------------------------------------------------- reveals


def _votes(tally: pd.DataFrame) -> dict[str, int]:
    return {str(answer): int(count) for answer, count in zip(tally["answer"], tally["count"], strict=True)}


def _shares(votes: pd.Series, answers: int) -> pd.Series:
    return votes / answers if answers else votes * 0.0


def reveal_next_token(
    spec: dict, tally: pd.DataFrame, probability_of: Callable[[str], float | None] | None = None
) -> Reveal:
    """The model's top tokens and every guess, side by side. ``probability_of(token)`` (optional,
    from the page's model) gives the probability of a guess outside the top tokens."""
    votes, top = _votes(tally), spec["top_tokens"]
    rows = [(entry["token"], rank, float(entry["probability"]), True) for rank, entry in enumerate(top, 1)]
    known = {entry["token"] for entry in top}
    for guess in votes.keys() - known:
        probability = probability_of(guess) if probability_of else None
        rows.append((guess, pd.NA, np.nan if probability is None else float(probability), False))
    table = pd.DataFrame(rows, columns=["token", "rank", "probability", "in_top"])
    table["rank"] = table["rank"].astype("Int64")
    table["votes"] = [votes.get(token, 0) for token in table["token"]]
    answers = int(sum(votes.values()))
    table["share"] = _shares(table["votes"], answers)
    table = table.sort_values(["votes", "probability"], ascending=False, kind="stable", na_position="last")
    table = table.reset_index(drop=True)[["token", "rank", "probability", "votes", "share", "in_top"]]
    favourite = table["token"][0] if answers else None
    summary = {
        "answers": answers,
        "favourite": favourite,
        "favourite_probability": float(table["probability"][0]) if answers else math.nan,
        "top_token": top[0]["token"],
        "top_token_probability": float(top[0]["probability"]),
        "guessed_top_token": votes.get(top[0]["token"], 0),
    }
    return Reveal(table, summary)


def _choice_table(labels: list[str], votes: dict[str, int]) -> tuple[pd.DataFrame, int]:
    table = pd.DataFrame({"option": labels, "votes": [votes.get(label, 0) for label in labels]})
    answers = int(sum(votes.values()))
    table["share"] = _shares(table["votes"], answers)
    return table, answers


def reveal_closer_pair(spec: dict, tally: pd.DataFrame) -> Reveal:
    """Each pair's cosine, its distance above the baseline, and its votes."""
    table, answers = _choice_table(closer_pair_options(spec), _votes(tally))
    table = table.rename(columns={"option": "pair"})
    table.insert(1, "a", [pair["a"] for pair in spec["pairs"]])
    table.insert(2, "b", [pair["b"] for pair in spec["pairs"]])
    table.insert(3, "cosine", [float(pair["cosine"]) for pair in spec["pairs"]])
    table.insert(4, "above_baseline", table["cosine"] - float(spec["baseline"]))
    table["closest"] = table.index == table["cosine"].idxmax()
    closest = table.loc[table["closest"], "pair"].iloc[0]
    summary = {
        "answers": answers,
        "baseline": float(spec["baseline"]),
        "closest": closest,
        "correct": int(table.loc[table["closest"], "votes"].iloc[0]),
    }
    return Reveal(table, summary)


def reveal_attention(spec: dict, tally: pd.DataFrame) -> Reveal:
    """The attention row (one row per position the query can attend to) beside the votes."""
    table, answers = _choice_table(attention_options(spec), _votes(tally))
    weights = [float(weight) for weight in spec["weights"]]
    table.insert(0, "position", range(len(weights)))
    table.insert(1, "token", spec["tokens"][: len(weights)])
    table.insert(3, "weight", weights)
    table["most_attended"] = table.index == int(np.argmax(weights))
    summary = {
        "answers": answers,
        "query_token": spec["tokens"][spec["query"]],
        "layer": spec["layer"],
        "head": spec["head"],
        "most_attended": table.loc[table["most_attended"], "option"].iloc[0],
        "correct": int(table.loc[table["most_attended"], "votes"].iloc[0]),
    }
    return Reveal(table, summary)


def reveal_number(spec: dict, tally: pd.DataFrame) -> Reveal:
    """The guesses' histogram (at most 12 equal bins that also cover the true value)."""
    true = float(spec["value"])
    guesses = np.repeat([float(answer) for answer in tally["answer"]], tally["count"].astype(int))
    columns = ["low", "high", "count", "holds_true_value"]
    if len(guesses):
        bins = int(min(12, max(5, math.ceil(math.sqrt(len(guesses))))))
        edges = np.histogram_bin_edges(np.append(guesses, true), bins=bins)
        counts, _ = np.histogram(guesses, bins=edges)
        holds = (edges[:-1] <= true) & ((true < edges[1:]) | (np.arange(bins) == bins - 1))
        table = pd.DataFrame(dict(zip(columns, [edges[:-1], edges[1:], counts, holds], strict=True)))
    else:
        table = pd.DataFrame({column: [] for column in columns})
    near = np.abs(guesses - true) <= 0.1 * abs(true) if true else guesses == 0
    summary = {
        "answers": len(guesses),
        "true_value": true,
        "unit": spec.get("unit", ""),
        "median_guess": float(np.median(guesses)) if len(guesses) else math.nan,
        "within_10_percent": int(np.count_nonzero(near)),
    }
    return Reveal(table, summary)


def reveal_continuation(spec: dict, tally: pd.DataFrame) -> Reveal:
    """Each continuation, its temperature and seed, its votes, and which one was asked about."""
    table, answers = _choice_table(continuation_options(spec), _votes(tally))
    continuations = spec["continuations"]
    table.insert(1, "text", [c["text"] for c in continuations])
    table.insert(2, "temperature", [float(c["temperature"]) for c in continuations])
    table.insert(3, "seed", [int(c["seed"]) for c in continuations])
    table["is_answer"] = [
        math.isclose(c["temperature"], spec["temperature"], abs_tol=1e-9) for c in continuations
    ]
    answer = table.loc[table["is_answer"], "option"].iloc[0]
    summary = {
        "answers": answers,
        "answer": answer,
        "correct": int(table.loc[table["is_answer"], "votes"].iloc[0]),
    }
    return Reveal(table, summary)


# --------------------------------------------------------------------------- the kinds

_SHARE = "votes / answers"
_ANSWERS = "students who answered"
_CHOSE = "students who chose it"

NEXT_TOKEN = Kind(
    name="next_token",
    title="Next token",
    fields={
        "prompt": "the text the model continues",
        "model": "the model's name",
        "top_tokens": "1-10 {id, token, probability}, by falling probability",
    },
    answer="a typed guess of the next word",
    columns={
        "token": "a top token or a guess",
        "rank": "its rank among the model's top tokens (<NA> off the list)",
        "probability": "the model's probability (NaN when unknown)",
        "votes": "students who guessed it",
        "share": _SHARE,
        "in_top": "whether it is among the model's top tokens",
    },
    summary={
        "answers": _ANSWERS,
        "favourite": "the class's most common guess (None without answers)",
        "favourite_probability": "the model's probability for it (NaN when unknown)",
        "top_token": "the model's most likely token",
        "top_token_probability": "its probability",
        "guessed_top_token": "students who guessed the model's top token",
    },
    check=check_next_token,
    normalise=normalise_next_token,
    options=None,
    reveal=reveal_next_token,
)
CLOSER_PAIR = Kind(
    name="closer_pair",
    title="Which is closer",
    fields={
        "model": "the model's name",
        "pairs": "2-4 {a, b, cosine}",
        "baseline": "the anisotropy baseline (a cosine)",
    },
    answer="a pair, 'a – b'",
    columns={
        "pair": "the choice, 'a – b'",
        "a": "first word",
        "b": "second word",
        "cosine": "their cosine",
        "above_baseline": "cosine − baseline",
        "votes": _CHOSE,
        "share": _SHARE,
        "closest": "whether it has the highest cosine",
    },
    summary={
        "answers": _ANSWERS,
        "baseline": "the anisotropy baseline",
        "closest": "the pair with the highest cosine",
        "correct": _CHOSE,
    },
    check=check_closer_pair,
    normalise=_choice_normaliser(closer_pair_options),
    options=closer_pair_options,
    reveal=reveal_closer_pair,
)
ATTENTION = Kind(
    name="attention",
    title="Where does it look",
    fields={
        "model": "the model's name",
        "tokens": "the sentence's tokens",
        "query": "the query position",
        "layer": "layer, from 0",
        "head": "head, from 0",
        "weights": "the attention row (query + 1 weights, or one per token)",
    },
    answer="a position, 'position: token'",
    columns={
        "position": "the key position",
        "token": "its token",
        "option": "the choice, 'position: token'",
        "weight": "the query's attention to it",
        "votes": _CHOSE,
        "share": _SHARE,
        "most_attended": "whether it has the highest weight",
    },
    summary={
        "answers": _ANSWERS,
        "query_token": "the query's token",
        "layer": "layer",
        "head": "head",
        "most_attended": "the option with the highest weight",
        "correct": _CHOSE,
    },
    check=check_attention,
    normalise=_choice_normaliser(attention_options),
    options=attention_options,
    reveal=reveal_attention,
)
NUMBER = Kind(
    name="number",
    title="Guess the number",
    fields={
        "quantity": "what is guessed, in words",
        "value": "the true value",
        "unit": "optional unit",
        "decimals": "optional decimals to show (0-6)",
    },
    answer="a typed number",
    columns={
        "low": "the bin's lower edge",
        "high": "the bin's upper edge",
        "count": "guesses in the bin",
        "holds_true_value": "whether the true value falls in the bin",
    },
    summary={
        "answers": _ANSWERS,
        "true_value": "the true value",
        "unit": "its unit",
        "median_guess": "the median guess (NaN without answers)",
        "within_10_percent": "guesses within 10 % of the true value (exact when it is 0)",
    },
    check=check_number,
    normalise=normalise_number,
    options=None,
    reveal=reveal_number,
)
CONTINUATION = Kind(
    name="continuation",
    title="Which continuation",
    fields={
        "prompt": "the text the model continues",
        "model": "the model's name",
        "temperature": "the temperature asked about",
        "continuations": "3 {text, temperature, seed}, one at the asked temperature",
    },
    answer="'A', 'B' or 'C'",
    columns={
        "option": "A, B or C",
        "text": "the continuation",
        "temperature": "its temperature",
        "seed": "its seed",
        "votes": _CHOSE,
        "share": _SHARE,
        "is_answer": "whether it came from the asked temperature",
    },
    summary={"answers": _ANSWERS, "answer": "the option from the asked temperature", "correct": _CHOSE},
    check=check_continuation,
    normalise=_choice_normaliser(continuation_options),
    options=continuation_options,
    reveal=reveal_continuation,
)
KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (NEXT_TOKEN, CLOSER_PAIR, ATTENTION, NUMBER, CONTINUATION)
}


def kind_of(name: object) -> Kind:
    """The kind called ``name``; Refused naming the five kinds otherwise."""
    if name not in KINDS:
        raise Refused(f"Unknown kind of question {name!r}: use one of {', '.join(KINDS)}.")
    return KINDS[name]


def spec_text(spec: object, what: str = "question's spec") -> str:
    """``spec`` as the JSON text the store keeps: refused when it is not a dict of plain JSON values
    that reads back equal (no tuples, NaN, non-text keys), or when it is over 16 KB."""
    if not isinstance(spec, dict):
        raise Refused(f"The {what} must be a dict.")
    try:
        text = json.dumps(spec, ensure_ascii=False, allow_nan=False)
        same = json.loads(text) == spec
    except (TypeError, ValueError):
        same = False
    if not same:
        raise Refused(
            f"The {what} must hold only plain JSON values (text, numbers, true/false, lists, dicts)."
        )
    size = len(text.encode("utf-8"))
    if size > MAX_SPEC_BYTES:
        raise Refused(f"The {what} is {size / 1024:.1f} KB; the limit is {MAX_SPEC_BYTES // 1024} KB.")
    return text


def check_spec(kind: str, spec: object) -> str:
    """Check a spec for its kind; return its JSON text. Refused, naming what is wrong, otherwise."""
    checked = kind_of(kind)
    text = spec_text(spec)
    checked.check(spec)
    return text


def normalise_answer(kind: str, spec: dict, value: object, tokenizer: Any = None) -> str:
    """The answer that is counted for ``value`` (masked, at most 60 characters as typed)."""
    return kind_of(kind).normalise(spec, value, tokenizer)


def options(kind: str, spec: dict) -> list[str] | None:
    """The choices a student picks from, or None for a typed answer."""
    choices = kind_of(kind).options
    return None if choices is None else choices(spec)


def reveal_table(kind: str, spec: dict, tally: pd.DataFrame, **extra: Any) -> Reveal:
    """The reveal of a question from its spec and its tally (``answer``, ``count``); ``extra`` goes
    to the kind's reveal (``probability_of`` for ``next_token``)."""
    return kind_of(kind).reveal(spec, tally, **extra)
