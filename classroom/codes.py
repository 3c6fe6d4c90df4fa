"""Join codes, teacher keys and student ids: random, from ``secrets``, and how they are checked.

* A **join code** is 6 characters from :data:`CODE_ALPHABET`, which leaves out the look-alikes
  0/O and 1/I/L, so a code read off a projector is typed right: 31**6 ≈ 8.9e8 codes. It grants
  student rights only; it is meant to be seen by everyone in the room.
* A **teacher key** is 32 random bytes (256 bits) in URL-safe base64 (43 characters). The store
  keeps only its SHA-256 hash. A slow password hash (bcrypt, scrypt) protects *guessable*
  secrets; a 256-bit random key cannot be guessed, so one fast hash is as strong and lets the store
  find the class by an indexed equality on the hash, with no per-row comparison loop. Whoever
  reads the database sees hashes, which open nothing.
* A **student id** is 16 random bytes (128 bits, 22 characters). It lives in the student's URL,
  so a reload keeps the student's identity and answers; it grants only that student's rights
  (answering, sending findings), so it is stored as it is.
"""

from __future__ import annotations

import hashlib
import re
import secrets

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, no 1/I/L
CODE_LENGTH = 6
KEY_BYTES = 32  # 256 bits
STUDENT_ID_BYTES = 16  # 128 bits
_KEY_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_STUDENT_ID_SHAPE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def new_code() -> str:
    """A random join code.

    >>> code = new_code()
    >>> len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    True
    """
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def typed_code(text: object) -> str | None:
    """A code as a student typed it, made canonical (case, spaces and dashes ignored); None when
    it cannot be a code at all (wrong length, a character outside the alphabet).

    >>> typed_code(" ab-c 2de "), typed_code("ABC0DE"), typed_code("ABCDEFG")
    ('ABC2DE', None, None)
    """
    if not isinstance(text, str):
        return None
    code = re.sub(r"[\s-]", "", text).upper()
    return code if len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) else None


def new_teacher_key() -> str:
    """A teacher key: 256 random bits, 43 URL-safe characters."""
    return secrets.token_urlsafe(KEY_BYTES)


def key_hash(key: str) -> str:
    """The SHA-256 of a teacher key, in hex: what the store keeps.

    >>> key_hash("x" * 43)[:12]
    'cc0b1c2c66f3'
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def looks_like_key(key: object) -> bool:
    """Whether ``key`` has a teacher key's shape (a student id or a code does not)."""
    return isinstance(key, str) and bool(_KEY_SHAPE.match(key))


def new_student_id() -> str:
    """An anonymous student id: 128 random bits, 22 URL-safe characters."""
    return secrets.token_urlsafe(STUDENT_ID_BYTES)


def looks_like_student_id(student_id: object) -> bool:
    """Whether ``student_id`` has a student id's shape."""
    return isinstance(student_id, str) and bool(_STUDENT_ID_SHAPE.match(student_id))
