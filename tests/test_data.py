"""The data set is used only verified; without a copy or a network the error says what to do."""
import numpy as np
import pytest

from autograder import assignment as assignments
from autograder import data

SPEC = assignments.resolve("mnist_mlp").config["dataset"]


def test_the_copy_in_use_matches_every_checksum():
    arrays = data.load(SPEC)
    assert arrays["x_train"].shape == (60000, 28, 28) and arrays["y_test"].shape == (10000,)
    assert np.bincount(arrays["y_test"]).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_a_single_changed_pixel_is_refused(tmp_path):
    arrays = dict(data.load(SPEC))
    arrays["x_train"] = arrays["x_train"].copy()
    arrays["x_train"][123, 14, 14] ^= 1
    np.savez_compressed(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(data.DataError, match="'x_train' does not match its checksum"):
        data.verify(tmp_path / "mnist.npz", SPEC["sha256"])


def test_offline_without_a_copy_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "SOURCE_DATA", tmp_path)
    monkeypatch.delenv(SPEC["env"], raising=False)
    offline = dict(SPEC, url="http://127.0.0.1:9/mnist.npz")  # nothing listens on the discard port
    with pytest.raises(data.DataError) as err:
        data.locate(offline)
    assert "could not download" in str(err.value)
    assert "Set MNIST_NPZ=/path/to/mnist.npz" in str(err.value)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no half-downloaded file left behind


def test_arrays_are_memory_maps_of_a_verified_copy():
    arrays = data.load(SPEC, ["x_train", "y_test"])
    assert sorted(arrays) == ["x_train", "y_test"]
    assert isinstance(arrays["x_train"], np.memmap) and arrays["x_train"].shape == (60000, 28, 28)
    assert data.array_digest(arrays["y_test"]) == SPEC["sha256"]["y_test"]


def test_a_file_verified_once_is_still_checked_when_it_changes(tmp_path, monkeypatch):
    data.load(SPEC)  # the real copy is now known by its digest
    arrays = dict(data.load(SPEC))
    arrays["y_test"] = arrays["y_test"].copy()
    arrays["y_test"][0] = (arrays["y_test"][0] + 1) % 10
    np.savez_compressed(tmp_path / "mnist.npz", **arrays)
    monkeypatch.setenv(SPEC["env"], str(tmp_path / "mnist.npz"))
    with pytest.raises(data.DataError, match="'y_test' does not match"):
        data.load(SPEC, ["x_test"])
