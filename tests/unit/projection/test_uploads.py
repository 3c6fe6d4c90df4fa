"""Vectors from a file (geometry/projection/uploads.py): the three formats, and one clear sentence for
every bad file."""

from __future__ import annotations

import numpy as np
import pytest

from geometry.projection import uploads
from geometry.projection.uploads import read_vectors

TSV = b"0.1\t0.2\t0.3\n0.4\t0.5\t0.6\n-1\t0\t2.5\n"
METADATA = b"word\tkind\ndog\tanimal\ncat\tanimal\ncar\tvehicle\n"


# --------------------------------------------------------------------------- good files


def test_projector_tsv_with_a_metadata_header():
    labels, X, meta = read_vectors(TSV, METADATA)
    assert labels == ("dog", "cat", "car")
    assert X.dtype == np.float32 and X.shape == (3, 3)
    np.testing.assert_allclose(X[2], [-1.0, 0.0, 2.5])
    assert meta["kind"].tolist() == ["animal", "animal", "vehicle"]
    assert meta["label"].tolist() == list(labels)


def test_projector_tsv_with_a_one_column_metadata_file_without_header():
    labels, _, meta = read_vectors(TSV, b"dog\ncat\ncar\n")
    assert labels == ("dog", "cat", "car") and len(meta) == 3


def test_projector_tsv_alone_names_the_rows():
    labels, X, _ = read_vectors(TSV)
    assert labels == ("row 1", "row 2", "row 3") and X.shape == (3, 3)


def test_tsv_with_labels_in_its_first_column_and_windows_line_ends():
    labels, X, _ = read_vectors(b"\xef\xbb\xbfdog\t1\t0\r\ncat\t0\t1\r\nfox\t1\t1\r\n")
    assert labels == ("dog", "cat", "fox") and X.tolist() == [[1, 0], [0, 1], [1, 1]]


def test_csv_with_a_label_column_and_a_metadata_column():
    data = b"x1,word,x2,group\n1,dog,2,a\n3,cat,4,a\n5,car,6,b\n"
    labels, X, meta = read_vectors(data, filename="mine.CSV")
    assert labels == ("dog", "cat", "car")
    assert X.tolist() == [[1, 2], [3, 4], [5, 6]]
    assert meta.columns.tolist() == ["label", "group"]


def test_word2vec_text_format():
    data = b"3 2\nking 0.5 1\nqueen 0.4 1.1\napple -1 0\n"
    labels, X, _ = read_vectors(data, filename="vectors.txt")
    assert labels == ("king", "queen", "apple")
    np.testing.assert_allclose(X[1], [0.4, 1.1], rtol=1e-6)


# --------------------------------------------------------------------------- bad files


BAD_FILES = {
    "empty": (b"", None, "vectors.tsv", "The vectors file is empty."),
    "blank lines only": (b"\n\n  \n", None, "vectors.tsv", "only blank lines"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "vectors.tsv", "binary file"),
    "not utf-8": (b"1\t2\n\xff\xfe\t3\n4\t5\n", None, "vectors.tsv", "not UTF-8 text"),
    "ragged rows": (b"1\t2\t3\n4\t5\n6\t7\t8\n", None, "vectors.tsv", "Row 2 has 2 numbers but row 1 has 3"),
    "non-number": (b"1\t2\n3\tabc\n5\t6\n", None, "vectors.tsv", "Row 2, number 2 is 'abc', not a number"),
    "NaN": (b"1\t2\n3\tnan\n5\t6\n", None, "vectors.tsv", "Row 2, number 2 is NaN or infinity"),
    "infinity": (b"1\t2\n3\t4\n-inf\t6\n", None, "vectors.tsv", "Row 3, number 1 is NaN or infinity"),
    "overflow": (b"1\t2\n3\t4\n1e309\t6\n", None, "vectors.tsv", "NaN or infinity"),
    "too large for float32": (b"1\t2\n3\t4\n1e300\t6\n", None, "vectors.tsv", "too large"),
    "duplicate labels": (
        b"dog\t1\t2\ncat\t3\t4\ndog\t5\t6\n", None, "vectors.tsv",
        "The label 'dog' appears on rows 1 and 3; every label must be unique.",
    ),
    "metadata rows do not match": (
        TSV, b"word\tkind\ndog\ta\ncat\ta\ncar\tb\nbus\tb\nvan\tb\n", "vectors.tsv",
        "The metadata file has 5 rows after its header row but the vectors file has 3",
    ),
    "metadata too short": (TSV, b"dog\ncat\n", "vectors.tsv", "The metadata file has 2 rows"),
    "empty metadata": (TSV, b"", "vectors.tsv", "The metadata file is empty."),
    "blank metadata": (TSV, b"\n\n", "vectors.tsv", "The metadata file has no rows"),
    "no metadata header": (TSV, b"dog\ta\ncat\ta\ncar\tb\n", "vectors.tsv", "2 rows after its header"),
    "word2vec without rows": (b"0 5\n", None, "v.txt", "a map needs at least 3"),
    "too few rows": (b"1\t2\n3\t4\n", None, "vectors.tsv", "a map needs at least 3"),
    "csv without labels": (b"a,b\n1,2\n3,4\n5,6\n", None, "v.csv", "The CSV has no label column"),
    "csv ragged": (b"word,a,b\ndog,1,2\ncat,3\nfox,5,6\n", None, "v.csv", "Row 3 has 2 fields"),
    "word2vec row count": (b"4 2\na 1 2\nb 3 4\nc 5 6\n", None, "v.txt", "says 4 rows, but the file has 3"),
    "word2vec dimensions": (b"3 2\na 1 2\nb 3 4 9\nc 5 6\n", None, "v.txt", "Line 3 has 3 numbers"),
    "control characters": (b"1\t2\n3\t4\x1b[31m\n5\t6\n", None, "vectors.tsv", "control characters"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_gets_one_clear_sentence(case):
    data, metadata, filename, message = BAD_FILES[case]
    with pytest.raises(ValueError) as error:
        read_vectors(data, metadata, filename)
    assert message in str(error.value)
    assert str(error.value).count(". ") <= 1 and "\n" not in str(error.value)  # one sentence, no dump


def test_over_the_row_limit():
    rows = b"".join(b"%d\t1\n" % i for i in range(12))
    with pytest.raises(ValueError, match="The file has 12 rows; the limit is 10."):
        read_vectors(rows, max_rows=10)
    assert uploads.MAX_ROWS == 20_000


def test_over_the_dimension_limit():
    row = b"\t".join([b"1"] * 9) + b"\n"
    with pytest.raises(ValueError, match="9 dimensions; the limit is 8"):
        read_vectors(row * 3, max_dimensions=8)


def test_over_the_size_limit():
    with pytest.raises(ValueError, match="the limit is 0.0001 MB"):
        read_vectors(TSV * 10, max_bytes=100)
    assert uploads.MAX_BYTES == 20_000_000


def test_a_default_sized_upload_parses_quickly():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2_000, 100)).astype(np.float32)
    data = "\n".join("\t".join(f"{v:.6f}" for v in row) for row in X).encode()
    _, read, _ = read_vectors(data)
    np.testing.assert_allclose(read, X, atol=1e-6)


def test_colour_columns_and_digest_of_an_upload():
    _, _, metadata = uploads.read_vectors(b"1\t2\n3\t4\n5\t6\n", b"word\tkind\na\tx\nb\ty\nc\tx\n", "v.tsv")
    assert metadata.columns.tolist() == ["label", "word", "kind"]
    assert uploads.colour_columns(metadata) == ["word", "kind"]  # the label column itself is never a colour
    assert uploads.colour_columns(metadata, max_groups=2) == ["kind"]  # "word" has 3 values
    assert uploads.upload_digest(b"1\t2", None) != uploads.upload_digest(b"1\t2", b"word")
    assert len(uploads.upload_digest(b"1\t2", None)) == 16
