"""Join codes without look-alikes, teacher keys of 256 bits kept only as hashes, unguessable student ids."""

from __future__ import annotations

from classroom import codes


def test_a_join_code_has_six_characters_and_no_look_alikes():
    assert not set("0O1IL") & set(codes.CODE_ALPHABET) and len(set(codes.CODE_ALPHABET)) == 31
    drawn = {codes.new_code() for _ in range(2000)}
    assert all(len(code) == 6 and set(code) <= set(codes.CODE_ALPHABET) for code in drawn)
    assert len(drawn) >= 1990  # random: 31**6 codes, collisions are rare
    assert set("".join(drawn)) == set(codes.CODE_ALPHABET)  # every character is used


def test_a_typed_code_is_read_leniently_but_never_turned_into_another_code():
    assert codes.typed_code(" k7r-x3p ") == codes.typed_code("K7R X3P") == "K7RX3P"
    for wrong in ("K7RX3", "K7RX3PP", "K7RX0P", "K7RXIP", "", None, 123456, "K7RX3P\x00"):
        assert codes.typed_code(wrong) is None


def test_a_teacher_key_is_256_random_bits_and_the_store_keeps_its_sha256():
    import hashlib

    keys = {codes.new_teacher_key() for _ in range(100)}
    assert len(keys) == 100 and all(codes.looks_like_key(key) and len(key) == 43 for key in keys)
    key = keys.pop()
    assert codes.key_hash(key) == hashlib.sha256(key.encode()).hexdigest() and key not in codes.key_hash(key)


def test_student_ids_are_128_random_bits_and_never_look_like_a_teacher_key():
    ids = {codes.new_student_id() for _ in range(100)}
    assert len(ids) == 100 and all(
        codes.looks_like_student_id(i) and not codes.looks_like_key(i) for i in ids
    )
    assert not codes.looks_like_student_id(codes.new_teacher_key()) and not codes.looks_like_key(
        codes.new_code()
    )
