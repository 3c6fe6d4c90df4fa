"""The class's words: each question as the class reads it, and one sentence that reads each reveal aloud.

Plain functions of a spec and a reveal's summary (``classroom.questions`` documents both), so the
teacher's projector and every student's screen say the same thing.
"""

from __future__ import annotations

import math

WORDING_KEY = "wording"  # the question in words, kept in its spec beside the model's numbers


def shown_number(value: float, decimals: int | None = None, unit: str = "") -> str:
    """A number as the class reads it: thousands separated, ``decimals`` places (3 significant
    digits without), its unit after it.

    >>> shown_number(49152, 0, "rows"), shown_number(0.41237, 3), shown_number(128.0), shown_number(0.00512)
    ('49,152 rows', '0.412', '128', '0.00512')
    """
    if decimals is None:
        text = f"{value:,.0f}" if abs(value) >= 100 and value == round(value) else f"{value:,.3g}"
    else:
        text = f"{value:,.{decimals}f}"
    return f"{text} {unit}".strip() if unit and unit != "%" else text + unit


def percent(share: float) -> str:
    return f"{share:.0%}" if share >= 0.01 or share == 0 else f"{share:.1%}"


def wording(kind: str, spec: dict) -> str:
    """The question in words: the one its spec carries, else one made from the spec."""
    given = spec.get(WORDING_KEY)
    if isinstance(given, str) and given.strip():
        return given
    if kind == "next_token":
        return f"What comes next after '{spec['prompt']}'?"
    if kind == "closer_pair":
        return "Which pair of words points most the same way (the highest cosine)?"
    if kind == "attention":
        query = spec["tokens"][spec["query"]]
        return f"In layer {spec['layer']}, head {spec['head']}: which token does {query} look at most?"
    if kind == "number":
        return f"Guess {spec['quantity']}."
    return f"Which of these continuations came from temperature {spec['temperature']:g}?"


def _of(count: int, answers: int) -> str:
    return f"{count} of {answers} {'student' if answers == 1 else 'students'}"


def reveal_sentence(kind: str, spec: dict, summary: dict) -> str:
    """One sentence (two at most) that reads the reveal aloud, from the reveal's summary."""
    answers = int(summary["answers"])
    if kind == "number":
        decimals, unit = spec.get("decimals"), spec.get("unit", "")
        true = shown_number(summary["true_value"], decimals, unit)
        if not answers:
            return f"The true value is **{true}**. Nobody answered."
        median = shown_number(summary["median_guess"], decimals, unit)
        return (
            f"The true value is **{true}**. The median guess was {median}; "
            f"{_of(summary['within_10_percent'], answers)} guessed within 10 % of it."
        )
    if kind == "next_token":
        chance = percent(summary["top_token_probability"])
        top = f"The model's most likely next token is **{summary['top_token']}** ({chance})"
        if not answers:
            return top + ". Nobody answered."
        favourite, probability = summary["favourite"], summary["favourite_probability"]
        model_says = (
            f"the model gives it {percent(probability)}"
            if not math.isnan(probability)
            else "the model's probability for it is not known here"
        )
        return (
            f"{top}: {_of(summary['guessed_top_token'], answers)} guessed it. "
            f"The class's favourite was **{favourite}**; {model_says}."
        )
    if kind == "closer_pair":
        closest = next(pair for pair in spec["pairs"] if f"{pair['a']} – {pair['b']}" == summary["closest"])
        cosine, baseline = closest["cosine"], summary["baseline"]
        return (
            f"The closest pair is **{summary['closest']}** (cosine {cosine:.2f}, {cosine - baseline:+.2f} "
            f"against the baseline of {baseline:.2f} for random words); "
            f"{_of(summary['correct'], answers)} chose it."
        )
    if kind == "attention":
        position = int(summary["most_attended"].split(":")[0])
        weight = spec["weights"][position]
        where = f"In layer {summary['layer']}, head {summary['head']}"
        return (
            f"{where}, **{summary['query_token']}** looks most at "
            f"**{summary['most_attended']}** ({percent(weight)} of its attention); "
            f"{_of(summary['correct'], answers)} chose it."
        )
    asked = next(
        c for c in spec["continuations"] if math.isclose(c["temperature"], spec["temperature"], abs_tol=1e-9)
    )
    return (
        f"Continuation **{summary['answer']}** came from temperature {asked['temperature']:g} (seed "
        f"{asked['seed']}); {_of(summary['correct'], answers)} chose it."
    )
