"""How quickly Python's threads take turns: a forward pass waiting for the interpreter lock must
not wait behind sessions building charts.
"""

from __future__ import annotations

import sys

SWITCH_SECONDS = 0.0002  # how long one thread may keep the interpreter while another waits (CPython: 5 ms)


def share_the_interpreter_quickly(seconds: float = SWITCH_SECONDS) -> None:
    """Let a thread that waits for Python's interpreter lock get it within ``seconds``.

    A forward pass gives up the lock for every torch operation and must wait to get it back.
    While other sessions build charts in Python, each wait lasts up to the switch interval, so a
    pass of a few hundred operations is stretched by seconds, and every session waiting for that
    model waits with it. Measured (`make benchmark`, section "convoy"): a 12 ms forward pass of
    the sentence encoder took 7-11 s beside eight busy Python threads at CPython's 5 ms, and
    about 0.5 s at 0.2 ms.
    """
    sys.setswitchinterval(seconds)
