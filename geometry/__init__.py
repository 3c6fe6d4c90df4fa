"""The computing layer: models, vectors, projections, the forward pass. Never imports streamlit."""

import os

# Idle OpenMP workers sleep rather than spin. When the machine's other cores are busy (a shared
# server, thirty sessions, a neighbour's job), spinning workers sometimes made torch's two-thread
# trace 14x slower than one thread; sleeping ones keep it near the one-thread time and cost little
# on a quiet machine (`make benchmark`, section "threads"). libgomp reads this once, when torch is
# first imported, so it is set here, before any geometry module imports torch. A value already in
# the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
