"""The projections page's widgets and sections (lessons/projections.py), one module per part.

controls: what to map and how (Settings) · words: the word set, custom axes, the chosen word and
the search · upload: the user's own vectors · maps: the map, its faithfulness and the custom axes'
angle · neighbours: real and false neighbours · stability: the same map with other seeds.
Widget keys start with ``pj_`` and are bound to the URL; every map and table is computed once on
the page through ui.cache and handed to these sections.
"""
