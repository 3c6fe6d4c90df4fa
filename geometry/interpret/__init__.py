"""Taking a trace apart: the logit lens, direct logit attribution, activation patching, one neuron."""
