"""The boundary format carries plain data only, and refuses everything else."""
import os
import pickle

import numpy as np
import pytest

from autograder import wire


def roundtrip(value):
    r, w = os.pipe()
    try:
        wire.send(w, {"value": value})
        return wire.Reader(r).receive(timeout=5)["value"]
    finally:
        os.close(r)
        os.close(w)


def test_arrays_scalars_and_containers_survive():
    value = (np.arange(6, dtype=np.float32).reshape(2, 3), [1, 2.5, None, "x", True],
             {"k": np.float64(0.25)}, np.int64(7), float("nan"), float("-inf"))
    got = roundtrip(value)
    assert isinstance(got, tuple)
    np.testing.assert_array_equal(got[0], value[0])
    assert got[0].dtype == np.float32 and got[0].flags.writeable
    assert got[1] == [1, 2.5, None, "x", True]
    assert isinstance(got[2]["k"], np.float64) and got[2]["k"] == 0.25
    assert isinstance(got[3], np.int64) and got[3] == 7
    assert np.isnan(got[4]) and got[5] == float("-inf")


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/should-never-exist",))


@pytest.mark.parametrize("value", [Payload(), np.array([Payload()], dtype=object), lambda: 1, {1: 2}])
def test_objects_become_opaque_without_being_run(value):
    got = roundtrip(value)
    assert isinstance(got, wire.Opaque)
    assert not os.path.exists("/tmp/should-never-exist")


def test_deep_nesting_is_cut():
    value = []
    for _ in range(50):
        value = [value]
    got = roundtrip(value)
    depth = 0
    while isinstance(got, list):
        got, depth = got[0], depth + 1
    assert isinstance(got, wire.Opaque) and depth <= wire.MAX_DEPTH + 1


def test_pickle_bytes_are_not_a_message():
    r, w = os.pipe()
    os.write(w, pickle.dumps(Payload()))
    os.close(w)
    with pytest.raises(wire.WireError):
        wire.Reader(r).receive(timeout=5)
    os.close(r)


def test_oversized_and_forged_arrays_are_refused():
    with pytest.raises(wire.WireError):
        wire.decode(b'{"array": 0, "dtype": "<f8", "shape": [1000]}', [b"\0" * 8])
    with pytest.raises(wire.WireError):
        wire.decode(b'{"array": 0, "dtype": "|O", "shape": [1]}', [b"\0" * 8])


def test_timeout_when_nothing_arrives():
    r, w = os.pipe()
    with pytest.raises(wire.WireTimeout):
        wire.Reader(r).receive(timeout=0.1)
    os.close(r)
    os.close(w)
