"""One module per transformer family, each declaring a ``FAMILY`` (see geometry.transformer.family).

Adding a family is adding a module here: the registry (geometry.transformer.registry) finds it.
"""
