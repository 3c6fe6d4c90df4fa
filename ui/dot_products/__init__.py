"""The dot-products page's widgets and sections (lessons/dot_products.py), one module per part.

presets: the lesson presets and the boxes' first contents · controls: the page's secondary
controls and the tokenization note · pair: one pair step by step, and which dimensions dominate ·
matrix: every pair · axis: projection onto a semantic axis · vocabulary: nearest neighbours and
analogies. Widget keys start with ``dp_`` and are bound to the URL. Sections draw results the
page computed through ui.cache; ``*_ui`` functions draw widgets and return plain values.
"""
