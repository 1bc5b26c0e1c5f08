"""The only format that crosses the sandbox boundary: plain data, never pickle.

A message is one JSON document followed by the raw bytes of the arrays it
references. Numbers, strings, booleans, None, lists, tuples, string-keyed dicts
and numeric numpy arrays survive the trip; anything else is replaced by an
``Opaque`` placeholder that records only its type name, so the trusted side
never evaluates an object that student code made.

Both sides import this module; it must stay importable with only the standard
library and numpy.
"""
import json
import os
import select
import struct
import time

import numpy as np

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
# What the trusted side accepts from the child by default: every reply a check expects is far
# smaller, and decoding is linear in these, so no reply costs the grader more than a moment.
REPLY_DOC_BYTES = 1 << 20     # the JSON part: structure, strings, scalars
REPLY_ARRAY_BYTES = 16 << 20  # the raw bytes of its arrays
MAX_DEPTH = 12
MAX_ITEMS = 100_000
ARRAY_KINDS = "biuf"  # bool, signed, unsigned, float: nothing that can hold objects
_HEADER = struct.Struct("!Q")


class WireError(Exception):
    """A message that is malformed, too large, or arrived too late."""


class WireTimeout(WireError):
    pass


class WireClosed(WireError):
    pass


class Opaque:
    """Stands in for a value that could not travel as plain data."""

    def __init__(self, type_name, detail=""):
        self.type_name = type_name
        self.detail = detail

    def __repr__(self):
        return f"<{self.type_name}{': ' + self.detail if self.detail else ''}>"


def _encode(value, buffers, depth):
    if depth > MAX_DEPTH:
        return {"opaque": "nesting too deep"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and type(value) in (int, float):
        if isinstance(value, float) and not np.isfinite(value):
            return {"float": repr(value)}
        return value
    if isinstance(value, np.generic):
        if value.dtype.kind not in ARRAY_KINDS:
            return {"opaque": f"numpy scalar of dtype {value.dtype}"}
        item = value.item()
        return {"scalar": repr(item) if isinstance(item, float) else item, "dtype": value.dtype.str}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in ARRAY_KINDS:
            return {"opaque": f"numpy array of dtype {value.dtype}"}
        arr = np.ascontiguousarray(value)
        buffers.append(arr.tobytes())
        return {"array": len(buffers) - 1, "dtype": arr.dtype.str, "shape": list(arr.shape)}
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            return {"opaque": f"{type(value).__name__} of {len(value)} items"}
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {kind: [_encode(v, buffers, depth + 1) for v in value]}
    if isinstance(value, dict) and all(type(k) is str for k in value):
        return {"dict": {k: _encode(v, buffers, depth + 1) for k, v in value.items()}}
    return {"opaque": type(value).__name__}


def encode(message):
    """Message (a dict of plain data) -> bytes ready to send."""
    buffers = []
    doc = json.dumps(_encode(message, buffers, 0), allow_nan=False).encode()
    parts = [_HEADER.pack(len(doc)), doc, _HEADER.pack(len(buffers))]
    for buf in buffers:
        parts += [_HEADER.pack(len(buf)), buf]
    return b"".join(parts)


def _decode(node, buffers, depth):
    if depth > MAX_DEPTH + 1:  # the encoder puts an opaque leaf one level below its limit
        raise WireError("message nested too deeply")
    if node is None or isinstance(node, (bool, str, int, float)):
        return node
    if not isinstance(node, dict) or len(node) not in (1, 2, 3):
        raise WireError("malformed message")
    if "scalar" in node:
        dtype = np.dtype(node["dtype"])
        if dtype.kind not in ARRAY_KINDS:
            raise WireError(f"refused scalar dtype {dtype}")
        item = node["scalar"]
        return dtype.type(float(item) if isinstance(item, str) else item)
    if "array" in node:
        dtype = np.dtype(node["dtype"])
        if dtype.kind not in ARRAY_KINDS:
            raise WireError(f"refused array dtype {dtype}")
        shape = tuple(int(n) for n in node["shape"])
        data = buffers[int(node["array"])]
        if int(np.prod(shape, dtype=np.int64)) * dtype.itemsize != len(data):
            raise WireError("array size does not match its shape")
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    (kind, body), = node.items()
    if kind == "float":
        return float(body)
    if kind == "list":
        return [_decode(v, buffers, depth + 1) for v in body]
    if kind == "tuple":
        return tuple(_decode(v, buffers, depth + 1) for v in body)
    if kind == "dict":
        return {str(k): _decode(v, buffers, depth + 1) for k, v in body.items()}
    if kind == "opaque":
        return Opaque(str(body)[:200])
    raise WireError(f"unknown value kind {kind!r}")


def decode(doc, buffers):
    """The message in ``doc`` and ``buffers``; any malformation is a WireError, never another exception."""
    try:
        return _decode(json.loads(doc), buffers, 0)
    except WireError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as err:
        raise WireError(f"malformed message ({type(err).__name__})") from None


def send(fd, message):
    data = memoryview(encode(message))
    while data:
        written = os.write(fd, data)
        data = data[written:]


class Reader:
    """Reads whole messages from a file descriptor, with an optional deadline."""

    def __init__(self, fd):
        self.fd = fd

    def _read_exact(self, n, deadline):
        chunks, remaining = [], n
        while remaining:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                    raise WireTimeout("timed out")
            chunk = os.read(self.fd, min(remaining, 1 << 20))
            if not chunk:
                raise WireClosed("the other side closed the channel")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def _length(self, deadline, budget):
        (n,) = _HEADER.unpack(self._read_exact(_HEADER.size, deadline))
        if n > budget:
            raise WireError(f"message of {n} bytes exceeds the {budget}-byte limit")
        return n

    def receive(self, timeout=None, doc_bytes=MAX_MESSAGE_BYTES, array_bytes=MAX_MESSAGE_BYTES):
        """The next message; a WireError if its JSON part or its arrays exceed the given sizes."""
        deadline = None if timeout is None else time.monotonic() + timeout
        doc = self._read_exact(self._length(deadline, doc_bytes), deadline)
        count = self._length(deadline, 10_000)
        buffers, total = [], 0
        for _ in range(count):
            n = self._length(deadline, array_bytes - total)
            buffers.append(self._read_exact(n, deadline))
            total += n
        return decode(doc, buffers)
