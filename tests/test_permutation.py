"""The course secret and its permutation: stable, private, and applied alike to both splits."""
import stat

import numpy as np
from autograder import assignment as assignments
from autograder import data, permutation, release

ASSIGNMENT = assignments.resolve("mnist_mlp")
SPEC = ASSIGNMENT.config["dataset"]


def test_the_secret_is_made_once_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv(permutation.ENV, raising=False)
    path = tmp_path / "course_secret.txt"
    first = permutation.course_secret(path)
    assert len(first) == 64 and permutation.course_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p != path]
    monkeypatch.setenv(permutation.ENV, "from the environment")
    assert permutation.course_secret(path) == b"from the environment"


def test_one_secret_one_permutation_and_its_id_reveals_nothing():
    a, again, b = (permutation.for_dataset(SPEC, s) for s in (b"course-a", b"course-a", b"course-b"))
    assert np.array_equal(a.features, again.features) and np.array_equal(a.labels, again.labels)
    assert not np.array_equal(a.features, b.features)
    assert sorted(a.features) == list(range(784)) and sorted(a.labels) == list(range(10))
    assert a.id == again.id != b.id and "course" not in a.id


def test_both_splits_are_shuffled_alike():
    shuffle = permutation.for_dataset(SPEC, b"course-a")
    x = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    y = np.array([3, 7], dtype=np.uint8)
    for xs, ys in (("x_train", "y_train"), ("x_test", "y_test")):
        got = data.permuted({xs: x, ys: y}, shuffle)
        assert got[xs].shape == x.shape and got[ys].dtype == y.dtype
        assert np.array_equal(got[xs].reshape(2, -1), x.reshape(2, -1)[:, shuffle.features])
        assert got[ys].tolist() == [shuffle.labels[3], shuffle.labels[7]]


def test_the_sandbox_copy_is_the_permuted_training_split_in_a_folder_named_by_the_id():
    shuffle = permutation.for_dataset(SPEC, b"course-a")
    folder = data.sandbox_cache(SPEC, shuffle)
    assert folder.name.endswith(shuffle.id) and folder != data.sandbox_cache(SPEC)
    assert sorted(p.name for p in folder.glob("*.npy")) == ["x_train.npy", "y_train.npy"]
    real = data.load(SPEC, ["x_train", "y_train"])
    images = np.load(folder / "x_train.npy", mmap_mode="r")
    assert np.array_equal(images[:50].reshape(50, -1), real["x_train"][:50].reshape(50, -1)[:, shuffle.features])
    assert np.array_equal(np.load(folder / "y_train.npy"), shuffle.labels[real["y_train"]])


def test_the_secret_is_never_in_the_release_or_the_handout():
    secret = permutation.course_secret().decode()
    shipped = [p for p, _ in release.handout_files(ASSIGNMENT)]
    assert permutation.SECRET_FILE not in shipped
    assert not [p for p in shipped if secret in p.read_text(errors="replace")]

