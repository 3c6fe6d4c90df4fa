"""The transformer: its families (one file each), their weights, the textbook forward pass, the trace."""
