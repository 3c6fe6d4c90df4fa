"""A Plotly figure of tens of thousands of points, packed small for the browser.

Plotly's own JSON sends each coordinate as a base64 float32 (5.3 bytes) and each word as a JSON
list ``["word"]``: the whole vocabulary's map was 0.51 MB. Packed, the coordinates become 16-bit
whole numbers of ten-thousandths (the map's own precision; 32-bit when a map is wider than 6.5
units), the words plain JSON strings, and the whole is deflated: about a third of the bytes. The
browser unpacks it into the same figure (``ui/page/packed_plotly.js``; :func:`unpack` is the same
steps in Python, for the tests and any other reader).

Layout: ``zlib(uint32 header length, header JSON, arrays)``. The header is the figure itself with
every packed array replaced by ``{"packed": i}`` (its entry in ``header["arrays"]``); the arrays
follow in that order, little-endian. An entry is ``{"dtype", "length", "offset", "scale"}`` and
decodes as ``(offset + stored) / scale``.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any

import numpy as np

COORDINATES = ("x", "y", "z")
WORDS = ("customdata", "text", "hovertext")
DECIMALS = 4  # a map's own precision (geometry.projection.maps.projection_frame rounds to it)


def pack(figure: dict) -> bytes:
    """``figure`` (``go.Figure.to_plotly_json()``: ``data`` and ``layout``) as packed bytes.

    Each trace's ``x``, ``y`` and ``z`` become whole numbers (see :func:`encode_numbers`); its
    ``customdata``, ``text`` and ``hovertext`` plain lists. Everything else is kept as it is.

    >>> figure = {"data": [{"type": "scattergl", "x": np.array([0.5, 1.25]), "y": np.array([2.0, 3.0]),
    ...                      "customdata": np.array([["dog"], ["cat"]], dtype=object)}], "layout": {}}
    >>> unpack(pack(figure))["data"][0]["x"].tolist()
    [0.5, 1.25]
    """
    arrays: list[dict] = []
    blobs: list[bytes] = []

    def packed(values: np.ndarray) -> dict:
        entry, blob = encode_numbers(values)
        arrays.append(entry)
        blobs.append(blob)
        return {"packed": len(arrays) - 1}

    data = []
    for trace in figure.get("data", []):
        trace = dict(trace)
        for key in COORDINATES:
            if key in trace and _numeric(_array(trace[key])):
                trace[key] = packed(_array(trace[key]))
        for key in WORDS:
            if key in trace and trace[key] is not None and not isinstance(trace[key], str):
                trace[key] = _array(trace[key])
        data.append(trace)
    header = {"data": data, "layout": figure.get("layout", {}), "arrays": arrays}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False, default=_plain).encode()
    return zlib.compress(struct.pack("<I", len(text)) + text + b"".join(blobs), 6)


def unpack(packed: bytes) -> dict:
    """The figure :func:`pack` packed: ``data`` (coordinates as float64 arrays) and ``layout``."""
    raw = zlib.decompress(packed)
    (length,) = struct.unpack_from("<I", raw)
    header = json.loads(raw[4 : 4 + length].decode())
    at, decoded = 4 + length, []
    for entry in header["arrays"]:
        dtype = np.dtype(entry["dtype"])
        stored = np.frombuffer(raw, dtype=dtype, count=entry["length"], offset=at)
        at += stored.nbytes
        decoded.append((entry["offset"] + stored.astype(np.float64)) / entry["scale"])
    data = [
        {key: decoded[value["packed"]] if isinstance(value, dict) and "packed" in value else value
         for key, value in trace.items()}
        for trace in header["data"]
    ]  # fmt: skip
    return {"data": data, "layout": header["layout"]}


def encode_numbers(values: np.ndarray, decimals: int = DECIMALS) -> tuple[dict, bytes]:
    """Numbers as whole numbers of 10^-``decimals``: (header entry, little-endian bytes).

    Each value is stored as ``round(value · 10^decimals) - offset``: uint16 when the values span
    at most 65,535 steps (6.5 units at 4 decimals; the offset is the smallest), int32 when they
    fit it (offset 0), else float64 as is. Decoding gives the nearest double to each value rounded
    to ``decimals`` places: a map's coordinates exactly as its table rounds them
    (:func:`geometry.projection.maps.projection_frame`).

    >>> entry, blob = encode_numbers(np.array([0.12344, -0.5]))
    >>> entry, len(blob)
    ({'dtype': '<u2', 'length': 2, 'offset': -5000, 'scale': 10000}, 4)
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    scale = 10**decimals
    scaled = np.round(values * scale) if np.isfinite(values).all() else None
    if scaled is not None and len(values) and scaled.max() - scaled.min() <= 65_535:
        low = scaled.min()
        return _entry("<u2", len(values), int(low), scale), (scaled - low).astype("<u2").tobytes()
    if scaled is not None and len(values) and np.abs(scaled).max() <= 2**31 - 1:
        return _entry("<i4", len(values), 0, scale), scaled.astype("<i4").tobytes()
    return _entry("<f8", len(values), 0, 1), values.astype("<f8").tobytes()


def _entry(dtype: str, length: int, offset: int, scale: int) -> dict:
    return {"dtype": dtype, "length": length, "offset": offset, "scale": scale}


def _array(values: Any) -> Any:
    """Plotly's typed array (``{"dtype", "bdata"[, "shape"]}``, what ``to_plotly_json`` gives for
    numpy arrays) as a numpy array; anything else as it is."""
    if isinstance(values, dict) and "bdata" in values and "dtype" in values:
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        shape = values.get("shape")
        return array.reshape([int(size) for size in str(shape).split(",")]) if shape else array
    return values


def _numeric(values: Any) -> bool:
    if isinstance(values, dict | str) or values is None:
        return False
    array = np.asarray(values)
    return array.ndim == 1 and array.dtype.kind in "iuf"


def _plain(value: Any) -> Any:
    """A numpy array or number as a plain list or number (json.dumps' ``default``)."""
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
