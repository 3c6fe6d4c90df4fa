"""How training moves the vectors: one backward pass split by path, a few steps on a private copy,
and what learning costs."""
