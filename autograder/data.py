"""Get an assignment's data set, verify it array by array, and cut what the sandbox may see.

The dataset is described in assignment.toml (file name, mirror URL, the
sha256 of every array). It is found at $<env>, else source_data/<file>, else
downloaded from the mirror into source_data/. Nothing is used unverified.
"""
import hashlib
import json
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

from .assignment import ROOT

SOURCE_DATA = ROOT / "source_data"


class DataError(Exception):
    pass


def array_digest(array):
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def verify(path, expected, names=None):
    """Load arrays (``names``, default all) and check each one's digest; return them."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in (names or expected)}
    except (OSError, ValueError, KeyError) as err:
        raise DataError(f"{path} is not a usable copy of the data set: {err}") from None
    for name, array in arrays.items():
        if array_digest(array) != expected[name]:
            raise DataError(f"{path}: array {name!r} does not match its checksum; "
                            "the file is corrupt or a different data set")
    return arrays


def _atomic_copy(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def _download(url, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            shutil.copyfileobj(response, out)
    except OSError as err:
        os.unlink(tmp)
        raise DataError(f"could not download {url}: {err}") from None
    return Path(tmp)


def fetch(spec, source=None):
    """Make sure a verified copy is at source_data/<file>; return its path.

    ``source`` (or the environment variable named in the spec) is copied in after
    verification; without either the mirror is tried.
    """
    target = SOURCE_DATA / spec["file"]
    source = source or os.environ.get(spec.get("env", ""))
    if source:
        verify(source, spec["sha256"])
        if not target.exists() or file_digest(target) != file_digest(source):
            _atomic_copy(Path(source), target)
        return target
    if target.exists():
        verify(target, spec["sha256"])
        return target
    tmp = _download(spec["url"], target)
    try:
        verify(tmp, spec["sha256"])
    except DataError:
        tmp.unlink()
        raise
    os.replace(tmp, target)
    return target


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def locate(spec):
    """The verified data file, or a DataError that says how to get one."""
    for candidate in (os.environ.get(spec.get("env", "")), SOURCE_DATA / spec["file"]):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    try:
        return fetch(spec)
    except DataError as err:
        raise DataError(f"{err}\nNo copy of {spec['file']} was found. Set {spec.get('env')}=/path/to/"
                        f"{spec['file']} or run `python -m autograder data --from /path/to/{spec['file']}`.") from None


def load(spec, names=None):
    """The verified arrays ``names`` (default all).

    A file whose every array was verified before is recognised by its own digest
    (cheap), so grading processes only decompress the arrays they use.
    """
    path = locate(spec)
    stamp = SOURCE_DATA / "cache" / "verified.json"
    try:
        known = json.loads(stamp.read_text())
    except (OSError, ValueError):
        known = {}
    signature = " ".join(spec["sha256"][n] for n in sorted(spec["sha256"]))
    digest = file_digest(path)
    if known.get(digest) == signature:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in (names or spec["sha256"])}
    arrays = verify(path, spec["sha256"])
    stamp.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_text(stamp, json.dumps({**known, digest: signature}))
    return {name: arrays[name] for name in (names or arrays)}


def _atomic_write_text(path, text):
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def permuted(arrays, permutation):
    """``arrays`` (name -> array) as the grader's ``permutation`` shuffles them (None: unchanged)."""
    if permutation is None:
        return arrays
    return {name: permutation.apply(name, array) for name, array in arrays.items()}


def sandbox_cache(spec, permutation=None):
    """Write the arrays student code may see as .npy files, once; return the folder.

    Kept beside the data (hidden from the sandbox) but in a folder of its own that
    the sandbox gets read-only: the test split never enters it. With a
    ``permutation`` (see permutation.py) the arrays are shuffled by it and the
    folder is named by its id, never by the secret.
    """
    name = spec["file"].replace(".", "_") + (f"-{permutation.id}" if permutation else "")
    folder = SOURCE_DATA / "cache" / name
    stamp = folder / "READY"
    wanted = "\n".join(f"{n} {spec['sha256'][n]}" for n in spec["sandbox_arrays"])
    if stamp.is_file() and stamp.read_text() == wanted:
        return folder
    arrays = permuted(load(spec, spec["sandbox_arrays"]), permutation)
    folder.mkdir(parents=True, exist_ok=True)
    for name in spec["sandbox_arrays"]:
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npy")
        with os.fdopen(fd, "wb") as f:
            np.save(f, arrays[name], allow_pickle=False)
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / f"{name}.npy")
    os.chmod(folder, 0o755)
    stamp.write_text(wanted)
    return folder
