"""What can go wrong in a class, as exceptions whose message a page can show as it is.

Each one is also the built-in exception the API promises (a wrong key is a ``PermissionError``, an
unknown code a ``LookupError``, a refused answer a ``ValueError``), so a caller may catch either; a
page catches :class:`ClassroomError` once and shows ``str(error)``: one or two plain sentences that
say what happened and what to do.
"""

from __future__ import annotations


class ClassroomError(Exception):
    """The base of every classroom exception; its message is written for the person at the screen."""


class NotAllowed(ClassroomError, PermissionError):
    """A teacher's action without the class's teacher key (a wrong key, no key, or a student id)."""


class NotFound(ClassroomError, LookupError):
    """An unknown or expired class code, student id, question or finding."""


class Refused(ClassroomError, ValueError):
    """Input the class does not take: an empty, over-long or late answer, a bad spec or nickname."""


class TooManyAttempts(ClassroomError):
    """Too many wrong class codes from one session in a minute (see :class:`classroom.Attempts`)."""


class ClassroomUnavailable(ClassroomError, RuntimeError):
    """The class database cannot be reached, is read-only, or was made by a newer version of the app."""
