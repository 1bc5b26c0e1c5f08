"""Grade on a Dask cluster: each submission goes to a Dask worker, which grades it in its sandbox.

The instructor's machine sends the submission's source files (plain bytes) and gets
back the text of its results folder (plain strings); it writes every file itself, in
the same order as a local run (results.json last), so ``--resume`` and Ctrl-C behave
as they do locally. Nothing but those strings and bytes crosses the network: student
code runs only in the sandbox of the Dask worker's own warm grader (``workers.Pool``).

A Dask worker that dies mid-task is replaced by the scheduler and its submissions run
again elsewhere; the first result that comes back is the one written, once.

Every Dask worker needs this kit installed at the same version, and the data set
(``python -m autograder data``): see docs/cluster.md.
"""
import tempfile
import threading
from concurrent.futures import CancelledError
from pathlib import Path

from distributed import Client

from . import assignment as assignments
from . import files
from .submission import CODE_SUFFIXES
from .workers import INTERRUPTED, Backend, Pool

CONNECT_SECONDS = 30
IN_FLIGHT = 512  # submissions handed to the scheduler at once; it queues what no worker takes yet


def source_files(path):
    """{relative path: bytes} of what grading reads: the file, or a folder's .py and .ipynb files."""
    path = Path(path)
    if path.is_file() and not path.is_symlink():
        return {path.name: path.read_bytes()}
    if not path.is_dir() or path.is_symlink():
        return {}
    return {p.relative_to(path.parent).as_posix(): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.suffix in CODE_SUFFIXES and p.is_file() and not p.is_symlink()}


class DaskWorkers(Backend):
    """The batch's backend on a Dask cluster."""

    def __init__(self, assignment, out_dir, timeout, jobs, scheduler, language=None):
        super().__init__(out_dir, max(jobs, IN_FLIGHT))
        self.assignment, self.timeout, self.language = assignment, timeout, language
        try:
            self.client = Client(scheduler, set_as_default=False, timeout=CONNECT_SECONDS)
        except OSError as err:
            raise SystemExit(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
        self.lock = threading.Lock()
        self.futures = set()

    def interrupt(self):
        super().interrupt()
        with self.lock:
            futures = list(self.futures)
        if futures:
            self.client.cancel(futures)

    def close(self):
        self.client.close()

    def run(self, entry, folder):
        """Grade ``entry`` on the cluster and write the files it sends back, results.json last."""
        future = self.client.submit(grade_remote, self.assignment.id, self.timeout, self.language, entry.id,
                                    entry.path.name, source_files(entry.path), str(entry.path.parent), str(folder),
                                    pure=False)
        with self.lock:
            self.futures.add(future)
        try:
            reply = future.result()
        except CancelledError:
            return INTERRUPTED
        except Exception as err:  # noqa: BLE001  e.g. KilledWorker: the task killed worker after worker
            return f"the Dask cluster could not grade it: {type(err).__name__}: {err}"[:500]
        finally:
            with self.lock:
                self.futures.discard(future)
        if self.stop.is_set() or reply["problem"] is INTERRUPTED:
            return INTERRUPTED
        texts = reply["files"]
        for name in sorted(texts, key=lambda n: n == "results.json"):  # results.json last
            files.atomic_write(folder / name, texts[name])
        return reply["problem"]


# -- runs on the Dask worker -------------------------------------------------------------
_pools = {}
_pools_lock = threading.Lock()


def _pool(assignment_id, timeout, language):
    """One pool of warm graders per Dask worker process (and course language), shared by its threads."""
    with _pools_lock:
        if (assignment_id, language) not in _pools:
            _pools[assignment_id, language] = Pool(assignments.resolve(assignment_id), timeout, language)
        return _pools[assignment_id, language]


def grade_remote(assignment_id, timeout, language, student, name, files, source_parent, out_folder):
    """Grade one submission here; {"problem": what went wrong or "", "files": {name: text}}.

    The submission is rebuilt under a temporary folder; paths in the results that name
    it are given back as the instructor's (``source_parent``, ``out_folder``), so the
    files are those a local run writes.
    """
    pool = _pool(assignment_id, timeout, language)
    with tempfile.TemporaryDirectory(prefix="autograder-dask-") as tmp:
        source, out = Path(tmp) / "in", Path(tmp) / "out" / student
        source.mkdir()
        for relative, data in files.items():
            (source / relative).parent.mkdir(parents=True, exist_ok=True)
            (source / relative).write_bytes(data)
        problem = pool.run(source / name, out, student)
        texts = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.is_file()
                 } if out.is_dir() else {}
    texts = {n: t.replace(str(out), out_folder).replace(str(source), source_parent) for n, t in texts.items()}
    return {"problem": problem, "files": texts}
