"""Widgets whose options or default come from other inputs: true after every change.

A query token is one of the prompt's tokens, a layer one of the model's layers, an occurrence one
of the sentences, a second model any model but the first. :func:`dependent` draws such a widget
(bound to the URL) and re-checks its value on every run, before drawing it:

- a value set since the last run (by the user, a button, a preset or a link) stays if it is one of
  the current options, else it goes to the default;
- a value that was the default follows the default (the new prompt's last token, the new model's
  last layer, the corrupted prompt's own top token);
- a value the user chose earlier stays only while it stands for the same thing: the same label
  (position *and* token: "2 ␣is") of the same ``context`` (a layer *of the same model*); else it goes
  to the default.

The value itself stays plain (a position, a layer, a token id); ``format_func`` says what it stands
for, and that label is what the widget shows and what the URL carries (no live numbers in it). The
default is also the widget's own, so the URL carries only a value that differs from it.
What each widget showed on its last run is kept in ``st.session_state[RECORDS]``: tests read it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import streamlit as st

RECORDS = "_dependent"  # session state: {key: Shown}
NUMBER_WIDGETS = {"slider", "number_input"}  # drawn from a range's ends, not from a list of options


@dataclass(frozen=True)
class Shown:
    """What a dependent widget showed on its last run, and what its options were then."""

    value: object
    label: str | None  # what the value stood for: the option as the widget showed it
    context: Hashable  # what the options belonged to (a model's name, a source of vectors)
    default: object  # the default then
    options: tuple[str, ...]  # every option as the widget showed it (a range: its two ends)

    @property
    def was_default(self) -> bool:
        return self.value == self.default


def _labels(options: Sequence, format_func: Callable) -> dict[str, object]:
    """Each option by the label the widget shows (a range: only its ends; membership is arithmetic)."""
    if isinstance(options, range):
        return {}
    return {str(format_func(option)): option for option in options}


def label_of(value: object, options: Sequence, format_func: Callable = str) -> str | None:
    """What ``value`` stands for among ``options`` (its label), or None when it is not one of them.

    >>> label_of(2, range(3)), label_of(3, range(3)), label_of("b", ["a", "b"], str.upper)
    ('2', None, 'B')
    >>> label_of((1, 2), range(3)), label_of(["a", "x"], ["a", "b"])
    ('(1, 2)', None)
    """
    if isinstance(value, list | tuple):  # a range slider's two ends, a multiselect's choices
        labels = [label_of(v, options, format_func) for v in value]
        return None if None in labels else repr(tuple(value))
    if isinstance(options, range) and not (isinstance(value, int) and value in options):
        return None
    try:
        label = str(format_func(value))
    except (KeyError, IndexError, TypeError, ValueError):  # a stale value the function cannot name
        return None
    if isinstance(options, range):
        return label
    found = _labels(options, format_func)
    return label if label in found and found[label] == value else None


def settled(key: str, options: Sequence, default: object, context: Hashable = (),
            format_func: Callable = str) -> object:  # fmt: skip
    """The value ``key`` must hold before its widget is drawn this run (the rules of the module's
    docstring), written to session state when it changes. Before the widget's first run the key
    holds nothing: the widget starts at ``default`` (its own default), unless a link asks otherwise.
    """
    state = st.session_state
    if key not in state or state[key] is None:
        return default
    before: Shown | None = state.get(RECORDS, {}).get(key)
    value = state[key]
    label = label_of(value, options, format_func)
    if before is None or value != before.value or _set_this_run(key):  # the user, a button or a link
        value = value if label is not None else _kept(value, options, format_func, default)
    elif before.was_default or label != before.label or context != before.context:
        value = default  # a default follows the inputs; a choice that now means another thing goes
    if state[key] != value:
        state[key] = value
    return value


def _set_this_run(key: str) -> bool:
    """Whether code (a button's or a preset's callback) set ``key`` since the last run, perhaps to
    the value it had."""
    from streamlit.runtime.state import get_session_state

    return get_session_state().is_new_state_value(key)


def _kept(value: object, options: Sequence, format_func: Callable, default: object) -> object:
    """A multiselect keeps the choices still offered; any other value that is not an option goes to
    the default."""
    if isinstance(value, list):
        return [v for v in value if label_of(v, options, format_func) is not None]
    return default


def remember(key: str, options: Sequence, default: object, context: Hashable = (),
             format_func: Callable = str) -> None:  # fmt: skip
    """Keep what the widget shows now (after it is drawn), for the next run's check."""
    value = st.session_state.get(key)
    if isinstance(options, range) and format_func is str:  # a slider or number box: its two ends
        shown = (str(options.start), str(options.stop - 1)) if len(options) else ()
    else:
        shown = tuple(str(format_func(option)) for option in options)
    record = Shown(value, label_of(value, options, format_func), context, default, shown)
    st.session_state.setdefault(RECORDS, {})[key] = record


# How each widget takes its own default: the one the page computes, so a link asking for the
# widget's first option is still a choice (Streamlit drops a URL value equal to the widget's default).
DEFAULT_ARGUMENT = {
    "selectbox": "index", "radio": "index", "select_slider": "value", "segmented_control": "default",
    "pills": "default", "multiselect": "default", "slider": "value", "number_input": "value",
}  # fmt: skip


def _default_argument(kind: str, options: Sequence, default: object, format_func: Callable) -> object:
    if DEFAULT_ARGUMENT[kind] != "index":
        return default
    labels = list(_labels(options, format_func)) if not isinstance(options, range) else None
    found = label_of(default, options, format_func)
    if found is None:
        return 0
    return default - options.start if labels is None else labels.index(found)


def dependent(widget: Callable, label: str, options: Sequence, *, key: str, default: object,
              context: Hashable = (), format_func: Callable = str, bind: str | None = "query-params",
              **kwargs) -> object:  # fmt: skip
    """Draw ``widget`` over ``options`` with the value :func:`settled` chose; returns its value.

    ``widget`` is ``st.selectbox``, ``st.radio``, ``st.select_slider``, ``st.segmented_control``,
    ``st.pills`` or ``st.multiselect`` (drawn with ``options`` and ``format_func``), or ``st.slider``
    or ``st.number_input`` over a ``range`` (drawn from its ends), or the same method of a column.
    ``default`` is one of the options (a multiselect: a list of them, a range slider: a tuple); it is
    also the widget's own default, so the URL leaves it out and a link may ask for any option.
    """
    kind = widget.__name__
    settled(key, options, default, context, format_func)
    kwargs[DEFAULT_ARGUMENT[kind]] = _default_argument(kind, options, default, format_func)
    if kind in NUMBER_WIDGETS:
        value = widget(label, options.start, options.stop - 1, key=key, bind=bind, **kwargs)
    else:
        value = widget(label, options, format_func=format_func, key=key, bind=bind, **kwargs)
    remember(key, options, default, context, format_func)
    return value
