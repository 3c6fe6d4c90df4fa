"""Nothing lost: an answer acknowledged ("received") survives the app process being SIGKILLed, and
the teacher resumes the class from the key alone."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from classroom import ClassStore
from tests.unit.classroom.examples import spec

ROOT = Path(__file__).resolve().parents[3]
STUDENTS = 40
# The app's part: answer for every student, round after round, and say "received" only after
# answer() has returned. It never stops by itself; the test kills it.
ANSWERING = """
import sys
from classroom import ClassStore
url, question_id, *students = sys.argv[1:]
store = ClassStore(url)
print("ready", flush=True)
round_ = 0
while True:
    round_ += 1
    for student in students:
        store.answer(int(question_id), student, f"round{round_}")
        print("received", student, round_, flush=True)
"""


def test_every_acknowledged_answer_survives_a_sigkill(database_url):
    teacher = ClassStore(database_url)
    code, key = teacher.create_class()
    students = [teacher.join(code) for _ in range(STUDENTS)]
    question_id = teacher.open_question(key, "next_token", spec("next_token"))
    teacher.dispose()
    del teacher  # the teacher's session is gone too: only the key is left

    app = subprocess.Popen(
        [sys.executable, "-c", ANSWERING, database_url, str(question_id), *students],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    acknowledged: dict[str, int] = {}
    try:
        assert app.stdout.readline().strip() == "ready", app.stderr.read()
        while len(acknowledged) < STUDENTS or sum(acknowledged.values()) < STUDENTS * 1.5:
            line = app.stdout.readline()
            assert line, app.stderr.read()  # the process must still be answering
            _, student, round_ = line.split()
            acknowledged[student] = int(round_)
    finally:
        os.kill(app.pid, signal.SIGKILL)  # mid-stream: between or inside answers
        app.wait()
    assert app.returncode == -signal.SIGKILL

    resumed = ClassStore(database_url)  # the server started again; the teacher has the key only
    info = resumed.resume(key)
    assert (info.code, info.students) == (code, STUDENTS)
    poll = resumed.teacher_poll(key)
    assert (poll.question_id, poll.state, poll.answers) == (question_id, "open", STUDENTS)
    for student, round_ in acknowledged.items():
        stored = resumed.own_answer(question_id, student)
        assert int(re.fullmatch(r"␣round(\d+)", stored)[1]) >= round_  # acknowledged, or a later one
    assert resumed.tally(question_id, key)["count"].sum() == STUDENTS
    resumed.reveal(key, question_id)
    assert resumed.question(question_id).state == "revealed"
    resumed.dispose()
