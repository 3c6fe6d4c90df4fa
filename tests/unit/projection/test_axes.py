"""Axes you name yourself (geometry/projection/axes.py): parsing, directions, scalar projections."""

from __future__ import annotations

import numpy as np
import pytest

from geometry.projection import axes as projection_axes
from geometry.projection import maps

# --------------------------------------------------------------------------- custom axes


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("small -> large", "small", "large"),
        ("small → large", "small", "large"),
        ("from  poor to rich", "poor", "rich"),
        ("woman - man", "man", "woman"),
        ("woman minus man", "man", "woman"),
        ("well-known -> famous", "well-known", "famous"),
        ("king", None, "king"),
    ],
)
def test_parse_axis(text, start, end):
    assert projection_axes.parse_axis(text) == projection_axes.Axis(end, start)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "needs a word"),
        ("-> large", "needs a word"),
        ("a -> b -> c", "more than two words"),
        ("cat -> cat", "to itself"),
        ("dog\x00 -> cat", "control characters"),
    ],
)
def test_parse_axis_refuses_what_is_not_an_axis(text, message):
    with pytest.raises(ValueError, match=message):
        projection_axes.parse_axis(text)


def test_custom_projection_is_the_scalar_projection_on_each_axis():
    from geometry.words import similarity, vectors

    X = np.random.default_rng(3).normal(size=(12, 6))
    x_axis, y_axis = projection_axes.Axis("b", "a"), projection_axes.Axis("c")
    x_direction, y_direction = X[1] - X[0], X[2]
    result = projection_axes.custom_projection(X, [x_axis, y_axis], [x_direction, y_direction])
    expected = similarity.axis_projections(X, list("x" * 12), X[0], X[1], "a", "b")["projection"][2:]
    np.testing.assert_allclose(result.coords[:, 0], expected)
    np.testing.assert_allclose(result.coords[5, 1], vectors.scalar_projection(X[5], y_direction))
    assert maps.axis_titles(result) == ["along a → b", "along c"]
    assert 0.0 <= result.trustworthiness <= 1.0


def test_custom_projection_refuses_an_axis_without_direction():
    X = np.eye(4)
    with pytest.raises(ValueError, match="same vector"):
        projection_axes.custom_projection(
            X, [projection_axes.Axis("b", "a"), projection_axes.Axis("c")], [np.zeros(4), X[2]]
        )


def test_axes_cosine_says_what_a_slanted_pair_of_axes_does():
    from ui.projections.maps import axes_cosine

    cos, meaning = axes_cosine(np.array([1.0, 0.0]), np.array([1.0, 1.0]))
    assert cos == pytest.approx(np.sqrt(0.5))
    assert "45° apart" in meaning and "rising diagonal" in meaning
    cos, meaning = axes_cosine(np.array([1.0, 0.0]), np.array([-1.0, 1.0]))
    assert cos < 0 and "falling diagonal" in meaning
    assert "right angles" in axes_cosine(np.array([1.0, 0.0]), np.array([0.0, 2.0]))[1]
