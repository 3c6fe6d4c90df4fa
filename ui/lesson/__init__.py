"""The teacher's lesson: building a plan of views (the sidebar's "Add this view", the My lesson page),
presenting it (the presenter bar), and opening any step's page with its settings.

- keeper.py: where the plan and the presented position are kept (the session, or the class store
  while this session teaches a class)
- navigate.py: opening a step's page with its settings, from any page (the same page included)
- bar.py: the presenter bar, ◀ step 3 of 12 ▶, with Page Up / Page Down
- sidebar.py: "Add this view to my lesson"
- editor.py, files.py: the My lesson page's steps, and its plan files (download, upload, ready-made)
"""
