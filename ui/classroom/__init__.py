"""The class in the app: a teacher starts a class, students join it, the teacher asks a question
from a lesson page's real numbers, everyone predicts, then the model's answer is revealed beside
the class's.

- membership.py: who this session is (the teacher key in the teacher's session only; a student's
  id in their own URL); the class parameters of a URL (``?class=``, ``?student=``, ``?resume=``);
- sidebar.py: the sidebar's *Class* section (start, join, resume, end);
- panel.py: the class panel above every page, the app's one polling path (a fragment: the page
  under it never reruns on a tick);
- join.py, answer.py, reveal.py, board.py: the join form, the question and its answer, the reveal
  (sentence, chart, downloads), the join code and QR code;
- follow.py: students following the teacher's lesson step (a watcher of the panel's tick), the
  line above their page, *Explore on my own* and *Back to the teacher*;
- findings.py: *Send to the teacher* (a student's view and note), the teacher's inbox and *Show on
  the projector*;
- ask.py: ``ask_the_class``, the one call a view makes; asks.py: each view's questions from the
  page's inputs; specs.py: the specs from the model's numbers; sentences.py: the class's words.

The store is the Streamlit-free ``classroom`` package (one per server: ui/server/classroom.py);
its cached reads are in ui/cache/classroom.py and the reveal charts in geometry/charts/classroom.py.
"""
