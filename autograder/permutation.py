"""The course secret, and the permutation of the data set it defines.

The grader trains every student's network on a copy of the data whose features
(MNIST's pixel order) and class labels are shuffled by a permutation that only the
trusted process knows, and scores it on the test split shuffled the same way. A
fully connected network learns the shuffled task exactly as well as the original
one, but weights trained anywhere else (embedded in a submission, returned by a
train_step that ignores its inputs, or by code that swaps the training loop) are
worth chance there.

The secret is ``$AUTOGRADER_SECRET`` if set, else the git-ignored file
``course_secret.txt`` at the kit's root, created from os.urandom on first use.
Keep it for the whole course (grading is deterministic per secret) and never put
it in the release: the sandbox sees neither the file nor the variable.
"""
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .assignment import ROOT

ENV = "AUTOGRADER_SECRET"
SECRET_FILE = ROOT / "course_secret.txt"


def course_secret(path=None):
    """The secret as bytes; the file is created (readable by its owner only) when missing."""
    if os.environ.get(ENV):
        return os.environ[ENV].strip().encode()
    path = Path(path or SECRET_FILE)
    if not path.exists():
        # Written aside, then linked into place: a link never replaces an existing file, so
        # parallel grading processes agree on one secret and never read a half-written one.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
        with os.fdopen(fd, "w") as f:  # mkstemp: readable by its owner only
            f.write(os.urandom(32).hex() + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip().encode()


def _digest(secret, purpose):
    return hashlib.sha256(b"autograder/" + purpose.encode() + b"/" + secret).digest()


@dataclass(frozen=True)
class Permutation:
    """Which arrays to shuffle (assignment.toml ``[dataset.permute]``) and how."""
    features: np.ndarray  # new feature i is old feature features[i]
    labels: np.ndarray    # old label k becomes labels[k]
    feature_arrays: tuple
    label_arrays: tuple
    id: str               # names the permuted copy in caches; reveals nothing of the secret

    @classmethod
    def from_secret(cls, secret, config, n_features):
        rng = np.random.default_rng(np.frombuffer(_digest(secret, "permutation"), dtype=np.uint32))
        return cls(features=rng.permutation(n_features), labels=rng.permutation(config["classes"]),
                   feature_arrays=tuple(config["features"]), label_arrays=tuple(config["labels"]),
                   id=_digest(secret, "cache-id").hex()[:16])

    def apply(self, name, array):
        """``array`` (one of the data set's, by ``name``) as the grader trains and scores on it."""
        if name in self.feature_arrays:
            flat = np.asarray(array).reshape(len(array), -1)
            return np.ascontiguousarray(flat[:, self.features]).reshape(np.shape(array))
        if name in self.label_arrays:
            return self.labels[np.asarray(array)].astype(np.asarray(array).dtype)
        return array


def for_dataset(spec, secret=None):
    """The grader's permutation for the data set ``spec``, or None if it asks for none."""
    config = spec.get("permute")
    if not config:
        return None
    return Permutation.from_secret(secret if secret is not None else course_secret(), config,
                                   int(config["feature_count"]))
