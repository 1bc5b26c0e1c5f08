"""``python -m autograder bundle gradescope``: the autograder zip Gradescope runs.

The zip holds setup.sh (installs the pinned requirements, then gets and verifies the
data with ``python -m autograder data``), run_autograder (grades
``$AUTOGRADER_ROOT/autograder/submission`` into ``.../results/results.json``), the engine,
the assignment release, the hidden checks and the reference (``solutions/<id>``). The
data set is downloaded by setup.sh unless ``--with-data`` embeds the verified copy. It
is a build artifact (``dist/`` is git-ignored): it holds the solutions, never share it.
"""
import importlib.metadata
import re
import tomllib
import zipfile
from pathlib import Path

from . import data, release

BUILD_ONLY = {"jupytext"}  # needed to generate a release, not to grade

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, in /autograder/source, when it builds the image.
# AUTOGRADER_PYTHON=/path/to/python skips the install and uses that interpreter, which
# must already have requirements.txt installed; otherwise a venv is made in .venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ -n "${AUTOGRADER_PYTHON:-}" ]; then
    PY="$AUTOGRADER_PYTHON"
else
    BASE=python3
    if ! "$BASE" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        apt-get update -q && apt-get install -y -q python3.11 python3.11-venv
        BASE=python3.11
    fi
    "$BASE" -m venv .venv || { apt-get update -q && apt-get install -y -q python3-venv && "$BASE" -m venv .venv; }
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r requirements.txt
    PY="$PWD/.venv/bin/python"
fi
printf '%s\\n' "$PY" > .python
# The data: ${data_env} if set, else the embedded copy (bundle --with-data), else the public
# mirror; verified array by array against assignment.toml in every case.
"$PY" -m autograder data
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. $AUTOGRADER_ROOT (default /) holds
# autograder/source (this bundle), autograder/submission and autograder/results.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/}"
BASE="${ROOT%/}/autograder"
SRC="$BASE/source"
PY="$(cat "$SRC/.python" 2>/dev/null || echo python3)"
mkdir -p "$BASE/results"
cd "$SRC"
# For the staff's log: Gradescope's Docker forbids namespaces, so this says "landlock" (see
# docs/security.md, "Security model"): "full" means the container allows them, "basic" that it has
# neither namespaces nor Landlock and seccomp, and why.
"$PY" -c 'from autograder.sandbox import jail; print("sandbox confinement:", jail.describe(jail.level()))' >&2
exec "$PY" -m autograder.gradescope "$BASE/submission" "$BASE/results/results.json"
"""


def requirements(assignment):
    """The runtime dependencies of pyproject.toml and the assignment's own ``requirements``, pinned
    to this environment's versions."""
    with open(Path(assignment.root) / "pyproject.toml", "rb") as f:
        deps = tomllib.load(f)["project"]["dependencies"] + assignment.requirements
    names = [re.match(r"[A-Za-z0-9_.-]+", d).group(0) for d in deps]
    return "".join(f"{n}=={importlib.metadata.version(n)}\n" for n in names if n.lower() not in BUILD_ONLY)


def files(assignment):
    """(path on disk, path in the zip) for the engine (as the handout ships it), the data's
    provenance, the release and the solutions."""
    return release.shipped_files(assignment.root, (*release.ENGINE_FILES, "source_data/README.md"),
                                 folders=[assignment.release_dir, assignment.solution_dir])


def _add(zf, name, text, executable=False):
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, text)


def gradescope(assignment, target, with_data=False):
    """Write the Gradescope autograder zip to ``target``; return its path."""
    spec = assignment.config.get("dataset")
    npz = data.locate(spec) if with_data and spec else None
    if npz:
        data.verify(npz, spec["sha256"])
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        data_env = f"${spec['env']}" if spec and spec.get("env") else "the data set's variable"
        _add(zf, "setup.sh", SETUP_SH.replace("${data_env}", data_env), executable=True)
        _add(zf, "run_autograder", RUN_AUTOGRADER, executable=True)
        _add(zf, "requirements.txt", requirements(assignment))
        for path, name in files(assignment):
            zf.write(path, name)
        if npz:
            zf.write(npz, f"source_data/{spec['file']}", compress_type=zipfile.ZIP_STORED)
    tmp.replace(target)
    return target
