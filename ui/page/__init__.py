"""Page furniture every lesson shares: the sidebar's settings, explanations and downloads, charts with
their SVG button, classroom-safe lists, and the settings a shared link asks for."""
