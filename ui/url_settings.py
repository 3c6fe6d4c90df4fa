"""Every lesson page's URL settings, in words: the catalogue a lesson plan is checked against.

Each widget bound to the URL (``bind="query-params"``) is one setting here, under its page's url
path: its key, a label in words (the name on the widget, with the tab or section in brackets where
several widgets share a name), and how a value from a URL is checked:

- ``Choice``: one of fixed options, written as the widget shows them ("UMAP", "cosine similarity");
- ``Switch``: a toggle, ``true`` or ``false``;
- ``Number``: a whole number or a number in a range;
- ``Text``: free text up to a length.

Some values depend on the page's other inputs (the model's layers, the prompt's tokens, the words
in a list): ``depends_on`` says on what, the check here is only of type and range, and the page
checks the value again when it runs. The sidebar's ``presenter`` and ``classroom_safe`` are the
app's own settings (``APP_SETTINGS``), not a lesson's.

Pure data and small checks (the model names come from geometry's catalogue): no Streamlit import,
so ``classroom.plans`` can be given this catalogue anywhere. tests/app/test_url_settings.py drives
every page and keeps it true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geometry.models.catalogue import CAUSAL_LM_CHOICES, TRACE_CHOICES
from geometry.models.catalogue import MODELS as KNOWN_MODELS

# The model pickers' options come from the one catalogue: a model family's file adds its example model there.
MODELS = tuple(KNOWN_MODELS)
CAUSAL_MODELS = tuple(CAUSAL_LM_CHOICES)
TRACE_MODELS = tuple(TRACE_CHOICES)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # a text box may hold \t and \n


@dataclass(frozen=True)
class Choice:
    """One of fixed options, as the widget shows them (and so as the URL writes them)."""

    options: tuple[str, ...]

    def accepts(self, value: str) -> bool:
        return value in self.options

    def describe(self) -> str:
        shown = ", ".join(self.options[:8]) + (", …" if len(self.options) > 8 else "")
        return f"one of: {shown}"


@dataclass(frozen=True)
class Switch:
    """A toggle: ``true`` or ``false`` (any letter case, as Streamlit reads it)."""

    def accepts(self, value: str) -> bool:
        return value.lower() in ("true", "false")

    def describe(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class Number:
    """A number from ``low`` to ``high``; a whole number when ``whole``."""

    low: float
    high: float
    whole: bool = True

    def accepts(self, value: str) -> bool:
        if self.whole and not re.fullmatch(r"-?\d{1,9}", value):
            return False
        try:
            number = float(value)
        except ValueError:
            return False
        return self.low <= number <= self.high  # also False for nan

    def describe(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} from {self.low:g} to {self.high:g}"


@dataclass(frozen=True)
class Text:
    """Free text of at most ``max_chars`` characters, without control characters (tabs and new
    lines are fine)."""

    max_chars: int

    def accepts(self, value: str) -> bool:
        return len(value) <= self.max_chars and not _CONTROL.search(value)

    def describe(self) -> str:
        return f"text of at most {self.max_chars:,} characters, without control characters"


Rule = Choice | Switch | Number | Text


@dataclass(frozen=True)
class Setting:
    """One URL setting of a page: its label in words, its rule, how many values it carries (a range
    slider two, a multiselect any number) and, for a value the page must check again, on what the
    valid values depend."""

    label: str
    rule: Rule
    depends_on: str = ""
    values: tuple[int, int] = (1, 1)  # fewest and most values in the URL

    def problem(self, values: tuple[str, ...]) -> str | None:
        """None when a URL with these values can be taken; else what the setting takes, in words."""
        fewest, most = self.values
        if not fewest <= len(values) <= most:
            count = f"{fewest} values" if fewest == most else f"from {fewest} to {most} values"
            return f"{'one value' if most == 1 else count}, each {self.rule.describe()}"
        if not all(self.rule.accepts(value) for value in values):
            return self.rule.describe()
        return None


@dataclass(frozen=True)
class PageSettings:
    """A lesson page: its title, its URL settings by key, and the question kinds it can ask."""

    title: str
    settings: dict[str, Setting]
    questions: frozenset[str] = field(default_factory=frozenset)


# ------------------------------------------------------------------------------ shared rules
LAYER = "the model's layers"
HEAD = "the model's attention heads"
TOKENS = "the prompt's tokens (a position is written '2 ␣is')"
INDEX = Number(0, 9_999)  # a layer, head or position: the page knows the real range
WORD = Text(60)  # geometry.tokens.MAX_WORD_CHARS


def _model(label: str, models: tuple[str, ...]) -> Setting:
    return Setting(label, Choice(models))


HOME = PageSettings("Start here", {})

DOT_PRODUCTS = PageSettings(
    "Dot products",
    {
        "dp_source": Setting("Vectors", Choice(("static", "sentence", "hand-made"))),
        "dp_model": _model("Model for static vectors, neighbours and analogies", MODELS),
        "dp_metric": Setting(
            "Compare with", Choice(("dot product", "cosine similarity", "euclidean distance"))
        ),
        "dp_standardise": Setting("Standardise dimensions", Switch()),
        "dp_k": Setting("Neighbours to list", Number(3, 30)),
        "dp_words": Setting("Words or short phrases", Text(3_000)),  # geometry.wordlists.MAX_LIST_CHARS
        "dp_vectors": Setting("Hand-made vectors", Text(2_000)),  # geometry.handmade.MAX_TEXT_CHARS
        "dp_a": Setting("First (of the pair)", WORD, depends_on="the words or vectors in the list"),
        "dp_b": Setting("Second (of the pair)", WORD, depends_on="the words or vectors in the list"),
        "dp_axis_start": Setting("Axis from", WORD, depends_on="with hand-made vectors, their names"),
        "dp_axis_end": Setting("Axis to", WORD, depends_on="with hand-made vectors, their names"),
        "dp_neighbour": Setting("Word (nearest neighbours)", WORD),
        "dp_an_a": Setting("a (analogy: take away)", WORD),
        "dp_an_b": Setting("b (analogy: start from)", WORD),
        "dp_an_c": Setting("c (analogy: add)", WORD),
    },
    frozenset({"closer_pair", "number"}),
)

PROJECTIONS = PageSettings(
    "Projections",
    {
        "pj_view": Setting("What to map", Choice(("Word sets", "Vocabulary", "Your vectors"))),
        "pj_model": _model("Model", MODELS),
        "pj_kind": Setting("Vectors", Choice(("static", "sentence"))),
        "pj_method": Setting("Method", Choice(("PCA", "UMAP", "t-SNE", "Custom"))),
        "pj_dims": Setting("View", Choice(("2D", "3D", "3D flat"))),
        "pj_seed": Setting("Seed", Number(0, 10_000)),
        "pj_metric": Setting("Distance in the full space", Choice(("cosine", "euclidean"))),
        "pj_k": Setting("Neighbours compared (k)", Number(3, 20)),
        "pj_labels": Setting("Word labels", Switch()),
        "pj_neighbors": Setting("n_neighbors (UMAP)", Number(2, 100)),
        "pj_min_dist": Setting("min_dist (UMAP)", Number(0.0, 1.0, whole=False)),
        "pj_perplexity": Setting("perplexity (t-SNE)", Number(2, 50)),
        "pj_stability": Setting("Compare 3 seeds", Switch()),
        "pj_all": Setting("Whole vocabulary", Switch()),
        "pj_size": Setting("Vocabulary tokens", Choice(("1000", "5000", "10000"))),
        "pj_preset": Setting(
            "Lesson preset",
            Choice(
                (
                    "Royalty beside fruit",
                    "Dog, cat, runs, quickly",
                    "Countries and capitals",
                    "Numbers, colours, emotions",
                    "Jobs, vehicles, weather",
                    "All twelve categories",
                    "(only my words)",
                )
            ),
        ),
        "pj_words": Setting("Your own words", Text(4_000)),  # geometry.wordsets.MAX_TEXT_CHARS
        "pj_x_axis": Setting("x axis", Text(200)),
        "pj_y_axis": Setting("y axis", Text(200)),
        "pj_focus": Setting("Chosen word", WORD, depends_on="the words on the map"),
        "pj_search": Setting("Find a word", WORD),
    },
)

CONTEXT = PageSettings(
    "Words in context",
    {
        "cx_preset": Setting("Lesson preset", Choice(("bank", "crane", "bat", "spring", "plant", "match"))),
        "cx_word": Setting("Word to follow", WORD),
        "cx_model": Setting("Model", Choice(("encoder", "causal LM"))),
        "cx_causal": _model("Causal language model", CAUSAL_MODELS),
        # geometry.senses: 40 sentences of up to 300 characters, one per line
        "cx_sentences": Setting("Sentences", Text(40 * 301)),
        "cx_layer": Setting("Layer", Text(20), depends_on="the model's layers ('static', 'layer 3')"),
        "cx_standardise": Setting("Standardise dimensions", Switch()),
        "cx_map": Setting("Map", Choice(("PCA", "UMAP"))),
        "cx_k": Setting("Nearest words shown", Number(1, 10)),
        "cx_values": Setting("Numbers in the matrix", Switch()),
        "cx_focus_a": Setting("First occurrence", Text(120), depends_on="the sentences ('S1 · river · …')"),
        "cx_focus_b": Setting("Second occurrence", Text(120), depends_on="the sentences ('S6 · money · …')"),
        "cx_focus_layer": Setting("Layer to look at", Number(1, 9_999), depends_on=LAYER),
        "cx_focus_heads": Setting(
            "Attention shown", Choice(("heads averaged, every layer", "every head, one layer"))
        ),
    },
)

TRACE = PageSettings(
    "Inside the model",
    {
        "tr_model": _model("Model", TRACE_MODELS),
        "tr_prompt": Setting("Prompt", Text(2_000)),
        "tr_tab": Setting(
            "Tab",
            Choice(
                (
                    "Attention",
                    "All heads",
                    "Residual stream",
                    "MLP neurons",
                    "Whole model",
                    "Next token",
                    "Why this token",
                    "Generate",
                    "Sampling lab",
                    "Cost",
                    "Experiments",
                    "Architectures",
                )
            ),
        ),
        "tr_layer": Setting("Layer (Attention tab)", INDEX, depends_on=LAYER),
        "tr_head": Setting("Head (Attention tab)", INDEX, depends_on=HEAD),
        "tr_query": Setting("Query token (Attention tab)", Text(80), depends_on=TOKENS),
        "tr_grid_layer": Setting("Layer (All heads tab)", INDEX, depends_on=LAYER),
        "tr_lens_position": Setting("Token to follow (Residual stream tab)", Text(80), depends_on=TOKENS),
        "tr_mlp_layer": Setting("Layer (MLP neurons tab)", INDEX, depends_on=LAYER),
        "tr_mlp_position": Setting("Token (MLP neurons tab)", Text(80), depends_on=TOKENS),
        "tr_lens_target": Setting("Token to follow (logit lens)", WORD),
        "tr_lens_follow": Setting("Position whose target line is drawn", Text(80), depends_on=TOKENS),
        "tr_lens_first": Setting("First position in the grid", INDEX, depends_on=TOKENS),
        "tr_lens_every": Setting("Every sublayer (logit lens)", Switch()),
        "tr_mv_layers": Setting("Layers shown (model view)", INDEX, depends_on=LAYER, values=(2, 2)),
        "tr_mv_layer": Setting("Layer (model view)", INDEX, depends_on=LAYER),
        "tr_mv_head": Setting("Head (model view)", INDEX, depends_on=HEAD),
        "tr_neuron_layer": Setting("Layer of the neuron", INDEX, depends_on=LAYER),
        "tr_neuron": Setting("Neuron", Number(0, 99_999), depends_on="the width of the model's MLP"),
        "tr_temperature": Setting("Temperature", Number(0.0, 2.0, whole=False)),
        "tr_top_k": Setting("Top-k", Number(0, 100)),
        "tr_top_p": Setting("Top-p", Number(0.05, 1.0, whole=False)),
        "tr_choice": Setting("Choice (greedy or sample)", Choice(("greedy", "sample"))),
        "tr_seed": Setting("Seed", Number(0, 1_000_000)),
        "tr_why_target": Setting(
            "Target token", Text(80), depends_on="the next tokens, as listed ('␣Paris')"
        ),
        "tr_why_other": Setting("Minus", Text(80), depends_on="the next tokens, as listed"),
        "tr_clean": Setting("Clean prompt", Text(500)),
        "tr_corrupted": Setting("Corrupted prompt", Text(500)),
        "tr_patch_target": Setting("Clean answer", Text(80), depends_on="the two prompts' next tokens"),
        "tr_patch_other": Setting("Corrupted answer", Text(80), depends_on="the two prompts' next tokens"),
        "tr_generate_n": Setting("Tokens to write", Number(1, 20)),
        "tr_samples": Setting("Samples to draw", Number(10, 5_000)),
        "tr_ablate": Setting(
            "Switch heads off",
            Text(12),
            depends_on="the model's layers and heads ('L0H3')",
            values=(0, 2_000),
        ),
        "tr_scale": Setting("Divide q·k by √d_head", Switch()),
        "tr_mask": Setting("Causal mask", Switch()),
        "tr_mask_encoder": Setting("Add a causal mask (encoder)", Switch()),
        "tr_x_layer": Setting("Layer (Experiments tab)", INDEX, depends_on=LAYER),
        "tr_x_head": Setting("Head (Experiments tab)", INDEX, depends_on=HEAD),
        "tr_compare": Setting("Run the prompt through a second model", Switch()),
        "tr_compare_model": Setting(
            "Second model", Choice(TRACE_MODELS), depends_on="the first model (it is not offered twice)"
        ),
    },
    frozenset({"next_token", "attention", "number", "continuation"}),
)

LEARNING = PageSettings(
    "Learning",
    {
        "ln_model": _model("Causal language model", CAUSAL_MODELS),
        "ln_preset": Setting(
            "Lesson preset",
            Choice(("The dog ran", "The cat sat", "Gravity and mass", "Joy and happiness", "Your own text")),
        ),
        "ln_text": Setting("Training text", Text(400)),  # geometry.learning.MAX_TEXT_CHARS
        "ln_optimizer": Setting("Optimizer", Choice(("sgd", "adam"))),
        "ln_steps": Setting("Steps", Number(1, 20)),  # geometry.learning.MAX_STEPS
        "ln_lr": Setting(
            "Learning rate",
            Choice(("1e-05", "3e-05", "0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.1")),
        ),
        "ln_train": Setting("Train a private copy now", Switch()),
        "ln_zoom": Setting("Magnify the movement", Choice(("1", "10", "100", "1000"))),
        "ln_token": Setting("Nearest neighbours of", Text(80), depends_on="the training text's tokens"),
    },
    frozenset({"number"}),
)

# The lesson pages by url path (ui/journey.py: HOME and LESSONS), as classroom.plans reads them.
CATALOGUE: dict[str, PageSettings] = {
    "home": HOME,
    "dot-products": DOT_PRODUCTS,
    "projections": PROJECTIONS,
    "context": CONTEXT,
    "trace": TRACE,
    "learning": LEARNING,
}

# The sidebar's settings, on every page (app.py): named here for a notice, never part of a plan.
APP_SETTINGS: dict[str, Setting] = {
    "presenter": Setting("Presenter mode", Switch()),
    "classroom_safe": Setting("Classroom-safe lists", Switch()),
}


# A presented ready-made plan's place, on every page (ui/lesson, classroom.presenting): a journey link
# from Start here carries it, and so does every step of a ready-made plan; never part of a plan.
LESSON_SETTINGS: dict[str, Setting] = {
    "lesson": Setting("Lesson plan", Text(60)),
    "lesson_step": Setting("Step of the lesson plan", Number(1, 60)),
}


# A class's membership, on every page while in a class (ui/classroom/membership.py): the join code of a
# join link, a student's anonymous id, the teacher's resume key (taken out of the address at once), and
# whether a student explores on their own instead of following the teacher's step.
CLASS_PARAMETERS = ("class", "student", "resume", "exploring")


def setting_label(key: str, page: str | None = None) -> str:
    """A URL setting in words, e.g. ``setting_label("tr_layer")`` → "Layer (Attention tab)"; the key
    itself when no page has it.

    >>> setting_label("pj_method"), setting_label("presenter"), setting_label("zz")
    ('Method', 'Presenter mode', 'zz')
    """
    pages = [CATALOGUE[page]] if page in CATALOGUE else list(CATALOGUE.values())
    for settings in [*(p.settings for p in pages), APP_SETTINGS, LESSON_SETTINGS]:
        if key in settings:
            return settings[key].label
    return key
