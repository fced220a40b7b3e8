"""The grader's side of a hand-in: the values a test cell's kernel code sent, read as data.

Everything here reads bytes that the student's code may have written, so nothing in it can
run code or take unbounded memory: JSON is parsed after its length is checked, arrays are
read from ``.npy`` bytes with ``allow_pickle=False`` after their header has been checked
against the bytes that follow (a header cannot claim more than it carries), only arrays of
booleans, integers and floats are accepted, and containers, strings and nesting are
bounded. Anything else raises ``BadHandIn`` with a message for the student; the cell then
fails, and grading goes on. The format is described in ``grading/verdicts/handout.py``.
"""
import base64
import binascii
import dataclasses
import io
import json

import numpy as np

from grading.verdicts.handout import MAX_DEPTH, MIME_TYPE

__all__ = ["BadHandIn", "Limits", "Unsupported", "decode", "MIME_TYPE"]


class BadHandIn(ValueError):
    """A hand-in the grader will not read; the message says why."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one test cell may hand out.

    Attributes
    ----------
    max_bytes : int
        Characters of JSON text, all of the cell's hand-ins together.
    max_depth : int
        Containers nested in containers.
    max_string : int
        Characters in one string.
    max_items : int
        Items in all lists, tuples and dicts together.
    """

    max_bytes: int = 64 * 2**20
    max_depth: int = MAX_DEPTH
    max_string: int = 10_000
    max_items: int = 100_000


@dataclasses.dataclass(frozen=True)
class Unsupported:
    """A value the kernel could not send as data (an object array, a generator, ...)."""

    what: str

    def __repr__(self):
        return f"<{self.what}>"


def decode(text, token, limits=Limits()):
    """The values of one hand-in.

    Parameters
    ----------
    text : str
        The hand-in output's JSON text.
    token : str
        The one-time token of the cell being graded.
    limits : Limits

    Returns
    -------
    dict
        {name: value}, each value None, bool, int, float, str, a numpy array (bool, int or
        float), a list, tuple or dict of such values, or ``Unsupported``.

    Raises
    ------
    BadHandIn
        The text is not a hand-in of this cell (another token), too large, malformed, or
        holds something outside the limits.
    """
    if not isinstance(text, str):
        raise BadHandIn("the results were not sent as text")
    if len(text) > limits.max_bytes:
        raise BadHandIn(f"the results are {len(text) / 2**20:.0f} MiB, more than the "
                        f"{limits.max_bytes / 2**20:.0f} MiB one test cell may hand out")
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BadHandIn(f"the results are not readable: {str(error)[:200]}") from None
    if not isinstance(payload, dict) or payload.get("token") != token:
        raise BadHandIn("the results did not come from this test cell")
    values = payload.get("values")
    if not isinstance(values, dict) or not all(isinstance(name, str) for name in values):
        raise BadHandIn("the results are not a set of named values")
    budget = [limits.max_items]
    return {name: _value(node, 0, limits, budget) for name, node in values.items()}


def _value(node, depth, limits, budget):
    if depth > limits.max_depth:
        raise BadHandIn(f"the results are nested more than {limits.max_depth} deep")
    if node is None or isinstance(node, (bool, int, float)):
        return node
    if isinstance(node, str):
        if len(node) > limits.max_string:
            raise BadHandIn(f"a string of {len(node)} characters, more than the "
                            f"{limits.max_string} a result may have")
        return node
    if not isinstance(node, dict) or len(node) != 1:
        raise BadHandIn("the results hold a value in no known form")
    (kind, inner), = node.items()
    if kind == "ndarray" and isinstance(inner, str):
        return _array(inner)
    if kind == "unsupported" and isinstance(inner, str):
        return Unsupported(inner[:200])
    if kind in ("list", "tuple", "dict") and isinstance(inner, list):
        budget[0] -= len(inner)
        if budget[0] < 0:
            raise BadHandIn(f"the results hold more than {limits.max_items} items")
        items = [_value(item, depth + 1, limits, budget) for item in inner] if kind != "dict" else None
        if kind == "list":
            return items
        if kind == "tuple":
            return tuple(items)
        pairs = {}
        for pair in inner:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise BadHandIn("the results hold a dict in no known form")
            key = _value(pair[0], depth + 1, limits, budget)
            try:
                pairs[key] = _value(pair[1], depth + 1, limits, budget)
            except TypeError:  # an unhashable key (a list, an array)
                raise BadHandIn("the results hold a dict whose key is not hashable") from None
        return pairs
    raise BadHandIn(f"the results hold a value of unknown kind {kind[:40]!r}")


def _array(encoded):
    """A numpy array from base64 .npy bytes, checked before anything is allocated."""
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise BadHandIn("the results hold an array that is not valid base64") from None
    stream = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"npy version {version}")
    except Exception as error:  # numpy raises ValueError, and others on odd headers
        raise BadHandIn(f"the results hold an array that is not a valid .npy: "
                        f"{str(error)[:200]}") from None
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None \
            or dtype.kind not in "biuf":
        raise BadHandIn(f"the results hold an array of {dtype}: only booleans, integers and "
                        "floats are accepted (no objects, no pickled data)")
    count = 1
    for n in shape:
        count *= int(n)
    data = raw[stream.tell():]
    if count * dtype.itemsize != len(data):
        raise BadHandIn(f"the results hold an array whose header claims {count} values of "
                        f"{dtype} but which carries {len(data)} bytes")
    array = np.frombuffer(data, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran else "C").copy()
