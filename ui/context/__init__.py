"""The "Words in context" page's widgets and sections (lessons/context.py), one module per part.

inputs: the preset, word, model and sentences, and the view controls · occurrences: how the word
was found and tokenized, and the layer's key numbers · layers: the cosine matrix, the paths map,
the nearest words, the layer table and the first dimensions · sources: where the context comes
from (attention and sublayer moves of two occurrences) · explanation: the page's closing text.
Widget keys start with ``cx_`` and are bound to the URL; the page computes through ui.cache.
"""
