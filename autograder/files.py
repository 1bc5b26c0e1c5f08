"""Files replaced whole: a reader sees the old file or the new one, never half of either.

Everything the kit writes that another process may read while it is written (results,
grades, the data cache, downloads) goes through ``replacing``.
"""
import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def replacing(path, mode="w", check=None):
    """An open file that replaces ``path`` when the block ends, and is gone if it raises (Ctrl-C
    too). ``check(temporary path)``, if given, runs before the file takes its place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            yield f
        if check:
            check(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path, text):
    with replacing(path) as f:
        f.write(text)
