"""Altair's two speed-ups, switched on once by the app (app.py); the library never touches Altair.

Both change Altair for the whole process, which is the app's to decide and a notebook's not to get
by surprise: ``import geometry`` leaves Altair as it found it (a test holds this).

* Altair checks every piece of a chart against the Vega-Lite schema as it is built, and the whole
  chart again in ``to_dict()`` (which Streamlit and the tests call). Checking once is enough:
  skipping the piecewise check takes about a third off a chart-heavy page's rerun.
* Altair 6.3's ``SchemaBase.from_dict`` (called for every shorthand like ``"x:Q"``) builds a new
  ``_FromDict`` each time, which JSON-encodes about 570 schemas to hash them: 18 times per chart,
  60 % of the time it takes to build one (cProfile). The table depends only on the set of
  classes, so it is built once and shared.

Charts come out the same either way (tests/unit/ui/server/test_altair_speed.py).
"""

from __future__ import annotations

import threading

_switch = threading.Lock()  # two sessions' first runs may call speed_up_altair at once
_before: dict[str, bool] = {}  # Altair's own debug mode, before the first speed-up


def speed_up_altair() -> None:
    """Turn Altair's piecewise validation off and build its schema table once (idempotent)."""
    import altair as alt

    with _switch:
        _before.setdefault("debug_mode", alt.utils.schemapi.DEBUG_MODE)
        alt.utils.schemapi.disable_debug_mode()
        from_dict = getattr(alt.utils.schemapi, "_FromDict", None)
        if from_dict is None or getattr(from_dict, "_table_once", False):
            return
        original, tables = from_dict.__init__, {}

        def __init__(self, wrapper_classes, /) -> None:
            classes = tuple(wrapper_classes)
            table = tables.get(classes)
            if table is None:
                original(self, classes)
                tables[classes] = self.class_dict
            else:
                self.class_dict = table

        from_dict._original_init = original
        from_dict.__init__, from_dict._table_once = __init__, True


def restore_altair() -> None:
    """Altair as it was before :func:`speed_up_altair` (for tests)."""
    import altair as alt

    with _switch:
        if _before.pop("debug_mode", True):
            alt.utils.schemapi.enable_debug_mode()
        from_dict = alt.utils.schemapi._FromDict
        if getattr(from_dict, "_table_once", False):
            from_dict.__init__, from_dict._table_once = from_dict._original_init, False
            del from_dict._original_init
