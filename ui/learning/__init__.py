"""The Learning page's widgets and sections (lessons/learning.py), one module per numbered part.

presets: the training texts · loss: 1, the loss · gradients: 2, the two gradient paths ·
training: 3, a few steps on a private copy · cost: 4, what one step costs, and the page's
closing explanation. Widget keys start with ``ln_`` and are bound to the URL; the page computes
through ui.cache (backward passes and training runs take turns in ui.server.line's line).
"""
