"""One word in many sentences, followed from layer to layer: its occurrences and their vectors,
how context-specific they become, where their context comes from, and the page's tables."""
