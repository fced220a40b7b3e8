"""The kernel's side of a hand-in: values sent out of the kernel as data, never as code.

When a notebook is graded, each test cell's code runs in the student's kernel and ends
with one line that calls ``send(token, {name: value, ...})`` (``grading/verdicts/testcell.py``
writes it). ``send`` encodes the values as JSON and publishes them as a ``display_data``
output of the MIME type ``MIME_TYPE``; the grading process takes that output out of the
notebook before anything is saved, decodes it (``grading/verdicts/handin.py``) and runs the
cell's checks on it. The format (one JSON document, a string inside the message):

``{"token": <the cell's one-time token>, "values": {<name>: <value>, ...}}``, where a value is

- ``null``, ``true``/``false``, a number or a string, for Python's None, bool, int, float, str;
- ``{"ndarray": <base64 of the .npy bytes>}`` for numpy arrays and scalars of booleans,
  integers or floats, and for anything else ``numpy.asarray`` makes such an array of
  (a pandas frame, a matrix);
- ``{"list": [...]}``, ``{"tuple": [...]}``, ``{"dict": [[key, value], ...]}``;
- ``{"unsupported": <what it was>}`` for anything else (an object array, a generator, ...),
  which every check then rejects with a message.

This file is read by the grading process and its text is sent to the kernel once, before
the notebook's first cell (``install_code``), so the kernel needs nothing of the course's
code: it uses only the standard library, numpy and IPython. Whatever the student's code does
to it can change only the values sent, which the grader checks like any others.
"""
import base64
import io
import json

import numpy as np

#: The MIME type of a hand-in output.
MIME_TYPE = "application/vnd.em-prankster.hand-in.v1"
#: The name the module is installed under in the kernel's ``sys.modules``.
KERNEL_MODULE = "_em_prankster_hand_out"
#: Containers nested deeper than this are sent as unsupported.
MAX_DEPTH = 16


def encode(value, depth=0):
    """``value`` as the JSON-ready structure described in the module docstring."""
    if depth > MAX_DEPTH:
        return {"unsupported": f"values nested more than {MAX_DEPTH} deep"}
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) in (list, tuple):
        return {type(value).__name__: [encode(item, depth + 1) for item in value]}
    if type(value) is dict:
        return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    try:
        array = np.asarray(value)
    except Exception:  # anything numpy cannot read as an array
        array = None
    if array is None or array.dtype.kind not in "biuf" or array.dtype.fields is not None:
        kind = f"an array of {array.dtype}" if array is not None else "an object"
        return {"unsupported": f"{kind} of type {type(value).__name__}"[:200]}
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return {"ndarray": base64.b64encode(buffer.getvalue()).decode("ascii")}


def send(token, values):
    """Publish ``values`` ({name: value}) for the grader, with this cell's ``token``."""
    from IPython.display import publish_display_data

    text = json.dumps({"token": token, "values": {name: encode(value) for name, value in values.items()}})
    publish_display_data({MIME_TYPE: text})


def call(token):
    """A function that writes the line ending a test cell's kernel code: it hands out the
    variables named, with ``token``."""
    def line(names):
        items = ", ".join(f"{name!r}: {name}" for name in names)
        return f"__import__('sys').modules[{KERNEL_MODULE!r}].send({token!r}, {{{items}}})"
    return line


def install_code():
    """Code that installs this module in a kernel as ``sys.modules[KERNEL_MODULE]``, binding
    no name in the notebook's namespace."""
    with open(__file__, encoding="utf-8") as f:
        source = f.read()
    return ("def _install(source):\n"
            "    import sys, types\n"
            f"    module = types.ModuleType({KERNEL_MODULE!r})\n"
            "    exec(compile(source, '<the grader\\'s hand-out>', 'exec'), module.__dict__)\n"
            f"    sys.modules[{KERNEL_MODULE!r}] = module\n"
            f"_install({source!r})\n"
            "del _install\n")
