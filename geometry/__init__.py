"""The computing layer: models, vectors, projections, the forward pass. Never imports streamlit.

Importing it changes nothing global (no environment variable, no torch setting): a notebook that
imports ``geometry`` keeps the process it had. The app sets its own environment at start (app.py).
"""
