"""Models: the catalogue of known models, loading them offline and verified, and the handle that
travels (a model, its tokenizer and its name)."""
