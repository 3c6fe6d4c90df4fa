"""The server's machinery, apart from the pages: the line of heavy jobs, shared results, memory,
interpreter settings, the warm-up, Altair's speed-ups. Every thread and lock of the app lives here."""
