"""Words and their vectors: tokens, word vectors and the named vector operations, similarity and
neighbours, hand-made vectors, word lists and word sets, and the classroom-safe masking of words."""
