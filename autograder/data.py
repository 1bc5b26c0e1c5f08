"""Get an assignment's data set and verify it array by array; only the trusted side reads it.

The dataset is described in assignment.toml (file name, mirror URL, the
sha256 of every array). It is found at $<env>, else source_data/<file>, else
downloaded from the mirror into source_data/. Nothing is used unverified.
"""
import hashlib
import os
import shutil
import urllib.request
from pathlib import Path

import numpy as np

from .assignment import ROOT
from .files import atomic_write, replacing

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
            with replacing(target, "wb") as out, open(source, "rb") as copy:
                shutil.copyfileobj(copy, out)
        return target
    if target.exists():
        verify(target, spec["sha256"])
        return target
    try:
        with replacing(target, "wb", check=lambda tmp: verify(tmp, spec["sha256"])) as out, \
                urllib.request.urlopen(spec["url"], timeout=60) as response:
            shutil.copyfileobj(response, out)
    except OSError as err:
        raise DataError(f"could not download {spec['url']}: {err}") from None
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
    """The verified arrays ``names`` (default all), memory-mapped: read only where indexed.

    The first call verifies the file and writes its arrays uncompressed beside it, in a
    folder named by the file's own digest; later calls (every grading process) only check
    that digest, so a changed file is verified again.
    """
    path = locate(spec)
    folder = SOURCE_DATA / "cache" / f"{spec['file'].replace('.', '_')}-{file_digest(path)[:16]}"
    signature = "\n".join(f"{n} {spec['sha256'][n]}" for n in sorted(spec["sha256"]))
    ready = folder / "READY"
    if not (ready.is_file() and ready.read_text() == signature):
        arrays = verify(path, spec["sha256"])
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in arrays.items():
            with replacing(folder / f"{name}.npy", "wb") as f:
                np.save(f, array, allow_pickle=False)
        atomic_write(ready, signature)
    return {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in (names or spec["sha256"])}
