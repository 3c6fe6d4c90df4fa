"""What the classroom package borrows from ``geometry``: imported here and nowhere else.

A move of these functions inside ``geometry`` is fixed by editing this one file.
"""

from __future__ import annotations

from geometry.models.loading import cache_root  # the app's cache folder (SEMANTIC_GEOMETRY_CACHE)
from geometry.words.safety import mask_text  # classroom-safe masking of running text
from geometry.words.tokens import shown_text  # a token's text as a person reads it (" Paris" → "␣Paris")

__all__ = ["cache_root", "mask_text", "shown_text"]
