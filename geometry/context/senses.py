"""Ambiguous words in labelled sentences: the lesson presets and the ``sense: sentence`` parser.

Every preset sentence uses its word in lower case after a space, never first, so the
word gets the same token(s), hence the same static embedding row, in every sentence.
Some sentences give the clue to the meaning only after the word, which a causal
model cannot see when it builds the word's vector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geometry.words.tokens import has_control_characters

MAX_SENTENCES = 40  # more lines than this are refused with a message
MAX_SENTENCE_CHARS = 300  # a longer line is refused with a message
MAX_SENSE_CHARS = 24  # a "label:" longer than this is read as part of the sentence
NO_SENSE = "unlabelled"  # the sense of a line that has no "label:" in front

_LABEL = re.compile(rf"^\s*([^:\n]{{1,{MAX_SENSE_CHARS}}}?)\s*:\s*(\S.*)$")


@dataclass(frozen=True)
class Preset:
    """A word and sentences that use it in different senses."""

    word: str
    note: str  # one line on the senses, for the page
    sentences: tuple[tuple[str, str], ...]  # (sense, sentence)

    def as_text(self) -> str:
        """The preset as the lines a user would type, ``sense: sentence``."""
        return "\n".join(f"{sense}: {sentence}" for sense, sentence in self.sentences)


def _preset(word: str, note: str, senses: dict[str, list[str]]) -> Preset:
    pairs = tuple((sense, sentence) for sense, lines in senses.items() for sentence in lines)
    return Preset(word, note, pairs)


PRESETS: dict[str, Preset] = {
    "bank": _preset(
        "bank",
        "the edge of a river, a place for money, and tilting an aeroplane into a turn",
        {
            "river": [
                "We had a picnic on the grassy bank of the river.",
                "The canoe drifted toward the muddy bank where the reeds grew.",
                "Otters dug their den into the steep bank beside the stream.",
                "After the flood the whole bank was covered in broken branches and silt.",
                "She sat fishing on the bank while the water rushed past.",
            ],
            "money": [
                "I need to visit the bank to deposit my pay cheque.",
                "The bank approved their loan for a small house.",
                "He opened a savings account at the bank near his office.",
                "My bank charges a fee for every international transfer.",
                "Robbers broke into the bank and emptied the vault.",
            ],
            "aeroplane": [
                "The pilot began to bank the plane gently to the left.",
                "To turn a glider you bank it into the curve.",
                "The jet made a steep bank over the airfield before landing.",
                "Student pilots practise how to bank an aircraft smoothly during a turn.",
                "The little plane went into a sharp bank as the wind changed.",
            ],
        },
    ),
    "crane": _preset(
        "crane",
        "a long-legged bird, a lifting machine, and stretching your neck to see",
        {
            "bird": [
                "A tall white crane waded through the marsh looking for frogs.",
                "Every winter the crane flies south with the rest of its flock.",
                "We watched a crane spread its wings and call across the wetland.",
                "The graceful crane stood on one leg in the shallow lake.",
            ],
            "machine": [
                "The construction crane lifted steel beams to the top floor.",
                "A crane at the harbour unloaded containers from the ship.",
                "The driver sat high in the crane and swung the load into place.",
                "They hired a crane to lift the old boiler out of the basement.",
            ],
            "neck": [
                "The children had to crane their necks to see over the fence.",
                "Fans began to crane forward for a glimpse of the singer.",
                "I had to crane my neck to read the sign on the tall building.",
                "People at the back would crane and stretch to see the stage.",
            ],
        },
    ),
    "bat": _preset(
        "bat",
        "a flying animal and the stick used to hit a ball",
        {
            "animal": [
                "A bat flew out of the cave at dusk to hunt insects.",
                "The fruit bat hung upside down from the branch.",
                "At night a small bat fluttered around the street lamp.",
                "Each bat uses echoes to find moths in the dark.",
            ],
            "sport": [
                "She swung the bat and hit the ball over the fence.",
                "The cricket player oiled his new willow bat before the game.",
                "He gripped the baseball bat tightly and waited for the throw.",
                "After practice the coach collected every bat and helmet.",
            ],
        },
    ),
    "spring": _preset(
        "spring",
        "the season, a coil of metal, and water rising from the ground",
        {
            "season": [
                "The cherry trees blossom early in the spring each year.",
                "We plant tomatoes in late spring when the frost is gone.",
                "Birds return from the south as spring arrives.",
                "The garden looks its best in spring when the tulips open.",
            ],
            "coil": [
                "A metal spring inside the pen pushes the tip back out.",
                "The old mattress had a broken spring poking through the cover.",
                "The clock stopped because its main spring snapped.",
                "Press the lever and the spring inside will compress.",
            ],
            "water": [
                "Villagers carried water from the spring at the foot of the hill.",
                "A cold spring bubbled up between the mossy rocks.",
                "The hikers filled their bottles at a mountain spring.",
                "This mineral water comes from a natural spring in the Alps.",
            ],
        },
    ),
    "plant": _preset(
        "plant",
        "a living green thing and a factory",
        {
            "green": [
                "She watered the plant on the windowsill every morning.",
                "A tomato plant needs plenty of sunlight to grow.",
                "The leaves of the plant turned yellow in the dry weather.",
                "He gave his mother a flowering plant for her birthday.",
            ],
            "factory": [
                "The car plant on the edge of town employs two thousand workers.",
                "The power plant burns gas to make electricity.",
                "Workers at the chemical plant went on strike for higher pay.",
                "The company will close its steel plant next year.",
            ],
        },
    ),
    "match": _preset(
        "match",
        "a small stick that makes fire and a game between two sides",
        {
            "fire": [
                "He struck a match to light the candle.",
                "The damp match would not catch fire.",
                "She dropped a burning match into the fireplace.",
                "Only one match was left in the box, so he lit it carefully.",
            ],
            "game": [
                "Our team won the football match by two goals.",
                "The tennis match lasted almost four hours.",
                "Thousands of fans watched the match in the rain.",
                "The chess match ended in a draw after sixty moves.",
            ],
        },
    ),
}


def parse_sentences(text: str) -> list[tuple[str, str]]:
    """Lines of ``sense: sentence`` (the label is optional) into (sense, sentence) pairs.

    Blank lines are skipped. A line without a short label before a colon gets the sense
    ``"unlabelled"``. Raises ValueError for no lines, too many lines, an over-long line,
    or control characters.

    >>> parse_sentences("river: We sat on the bank.\\n\\nThe bank closed at noon.")
    [('river', 'We sat on the bank.'), ('unlabelled', 'The bank closed at noon.')]
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("Type at least two sentences, one per line, each containing the word.")
    if len(lines) > MAX_SENTENCES:
        raise ValueError(
            f"{len(lines)} lines is more than the limit of {MAX_SENTENCES}; remove some sentences."
        )
    pairs = []
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_SENTENCE_CHARS:
            raise ValueError(
                f"Line {number} has {len(line):,} characters, more than the limit of "
                f"{MAX_SENTENCE_CHARS}; split it into shorter sentences."
            )
        if has_control_characters(line):
            raise ValueError(f"Line {number} contains invisible control characters; retype it as plain text.")
        pairs.append(_split_label(line))
    return pairs


def _split_label(line: str) -> tuple[str, str]:
    match = _LABEL.match(line)
    if match and len(match.group(1).split()) <= 3 and any(char.isalnum() for char in match.group(1)):
        return match.group(1), match.group(2).strip()
    return NO_SENSE, line
