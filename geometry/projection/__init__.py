"""Many dimensions on a flat screen: PCA, UMAP and t-SNE, what a map distorts, axes you name
yourself, the tables a map is drawn from, and your own vectors from a file."""
