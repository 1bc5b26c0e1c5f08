"""A simulated Gradescope: the bundle unpacked once as the image (setup.sh runs as root, as when
Gradescope builds it), then run_autograder for each submission in a container of its own.

The container is root without CAP_SYS_ADMIN, so namespaces are denied as in Gradescope's
Docker and student code gets the "landlock" level; its interpreter is reachable by every
user, as in a Docker image (unprivileged.reachable), so the sandbox's own uid can run it.
Each submission gets its own ``$AUTOGRADER_ROOT`` whose ``autograder/source`` links to the image.
"""
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from unprivileged import in_container, reachable


@contextlib.contextmanager
def workspace():
    """A folder every user may enter, as an image's folders are (pytest's own are root's alone)."""
    base = Path(tempfile.mkdtemp(prefix="gradescope-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def build(bundle, base, language=None):
    """Unpack ``bundle`` into ``base``/image and run its setup.sh; the image's source folder."""
    source = Path(base) / "image" / "autograder" / "source"
    source.mkdir(parents=True)
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():
            zf.extract(info, source)
            os.chmod(source / info.filename, (info.external_attr >> 16) & 0o777 or 0o644)
    if language:  # a course in another language: its assignment.toml says so
        for toml in source.glob("assignments/*/assignment.toml"):
            toml.write_text(re.sub(r'(?m)^language = "\w+"', f'language = "{language}"', toml.read_text()))
    env = {**os.environ, "AUTOGRADER_PYTHON": sys.executable}  # the venv has the requirements already
    setup = subprocess.run([str(source / "setup.sh")], env=env, capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stderr
    return source


def _run(source, submission, root):
    folder = root / "autograder" / "submission"
    folder.mkdir(parents=True)
    (root / "autograder" / "source").symlink_to(source)
    module = tomllib.loads(next(source.glob("assignments/*/assignment.toml")).read_text())["module"]
    shutil.copy(submission, folder / f"{module}{Path(submission).suffix}")  # as the image's assignment names it
    env = {k: v for k, v in os.environ.items() if k != "MNIST_NPZ"}  # graded from the image's copy
    with tempfile.TemporaryDirectory(prefix="stash-") as stash:  # outside any folder it may have to mask
        proc = subprocess.run(reachable(in_container([source / "run_autograder"]), [source, root], stash),
                              env={**env, "AUTOGRADER_ROOT": str(root)}, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((root / "autograder" / "results" / "results.json").read_text()), proc.stderr


def grade(submissions, base, jobs=2):
    """{id: (results.json, run_autograder's log)} for ``submissions`` ({id: (image source, file)}),
    ``jobs`` containers at a time."""
    with ThreadPoolExecutor(jobs) as pool:
        runs = {name: pool.submit(_run, source, path, Path(base) / name) for name, (source, path) in submissions.items()}
        return {name: run.result() for name, run in runs.items()}
