"""Warm grading workers: Python, NumPy, pytest, matplotlib and the engine start up once per worker.

A worker (``python -m autograder worker``) imports everything grading needs, then, for
each submission, forks a grader that runs ``grading.grade_one`` once and exits. Every
fork starts from the same preloaded state, so nothing one submission leaves behind
(pytest's imported check modules, registered plugins, NumPy's random state, open
sandboxes) reaches the next: a warm grade is a cold ``grade-one`` grade. Each grader
has a pid of its own, hence a sandbox uid of its own (``jail.sandbox_uid``), and leads
its own session, so the batch interrupts it exactly as it interrupted ``grade-one``.

Protocol, one JSON document per line: the batch writes ``{"path", "out", "id"}`` to the
worker's stdin; the worker answers ``{"pid": N}`` when the grader starts, then
``{"code": exit status, "error": the end of its stderr}`` when it ends.
"""
import ctypes
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path

from . import report
from .grading import Outcome, write_submission

PR_SET_PDEATHSIG = 1
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
INTERRUPTED = None  # what ``run`` returns when the batch was interrupted


# -- the worker process ------------------------------------------------------------------
def preload(assignment):
    """Pay once what every grade pays: imports, the schema, fonts, the jail probe."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from . import grading, plugin  # noqa: F401  imported for their cost
    from .pages import feedback, plots, summary  # noqa: F401
    from .sandbox import jail
    jail.level()  # probes the confinement levels once (a confined `true`, a confined import)
    report._validator()
    figure = Figure(figsize=(1, 1))  # loads the font cache and the font itself
    figure.add_subplot().set_title("warm")
    figure.savefig(os.devnull, format="png")
    for folder in (assignment.public_tests, assignment.hidden_tests):
        for path in Path(folder).glob("*.py"):  # the check modules' own imports
            _import_names(path)


def _import_names(path):
    """Import the top-level modules a check file imports (not the file itself: pytest does that)."""
    import ast
    import importlib
    for node in ast.parse(path.read_text()).body:
        names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                 [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        for name in names:
            try:
                importlib.import_module(name)
            except ImportError:
                pass  # the check itself will say so when pytest imports it


def _grade_in_fork(assignment, language, job, stderr, worker):
    """The forked grader: one submission, then ``os._exit`` (never back into the worker loop)."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a Ctrl-C sent since the fork lands here
        _on_parent_death(signal.SIGINT)  # a killed worker's grader stops, writing nothing
        if os.getppid() != worker:
            raise KeyboardInterrupt
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        os.dup2(stderr.fileno(), 2)
        from .grading import grade_one
        grade_one(assignment, job["path"], job["out"], student=job["id"], language=language)
        code = 0
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # noqa: BLE001  reported to the batch like a crashed grade-one
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(assignment, language=None):
    """The worker's loop; ends when the batch closes its stdin (or dies). ``language``: the feedback's."""
    current = {}

    def relay(signum, frame):  # the batch is gone: stop the grader as Ctrl-C would, then leave
        if current.get("pid"):
            _killpg(current["pid"], signal.SIGINT)
        raise SystemExit(1)

    # The batch relays Ctrl-C to graders, not to us. Blocked rather than ignored: an ignored
    # signal sent to a grader before it installs its handler would be lost, a blocked one waits.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    signal.signal(signal.SIGTERM, relay)
    _on_parent_death(signal.SIGTERM)
    if os.getppid() == 1:  # the batch died before the line above
        return
    preload(assignment)
    replies = sys.stdout
    print(json.dumps({"ready": os.getpid()}), file=replies, flush=True)
    me = os.getpid()
    for line in sys.stdin:
        job = json.loads(line)
        with tempfile.TemporaryFile() as stderr:
            pid = os.fork()
            if pid == 0:
                _grade_in_fork(assignment, language, job, stderr, me)
            current["pid"] = pid
            print(json.dumps({"pid": pid}), file=replies, flush=True)
            _, status = os.waitpid(pid, 0)
            current["pid"] = None
            stderr.seek(0)
            error = stderr.read()[-4000:].decode("utf-8", "replace")
        print(json.dumps({"code": os.waitstatus_to_exitcode(status), "error": error}), file=replies, flush=True)


def _on_parent_death(sig):
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)


def _killpg(pid, sig):
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# -- the batch side ----------------------------------------------------------------------
class WorkerGone(Exception):
    """The worker process died or stopped answering; a new one takes over."""

    while_grading = False  # it died with a submission in hand (the submission may have killed it)


class Worker:
    """One warm worker process, used by one batch thread at a time."""

    START_SECONDS = 120

    def __init__(self, assignment, language=None):
        # OpenBLAS's thread pool, started by the worker's import of NumPy, spins in every
        # forked grader (measured: ten times slower); one BLAS thread per worker is also
        # what --jobs N on N cores wants.
        env = {**os.environ, **{name: "1" for name in BLAS_THREADS}}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autograder", "worker", "--assignment", assignment.id,
             *(["--lang", language] if language else [])], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)  # Ctrl-C reaches the batch only, which relays it
        self.replies = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.errors = []
        threading.Thread(target=self._read_errors, daemon=True).start()
        self._expect("ready", self.START_SECONDS)

    def _read(self):
        for line in self.proc.stdout:
            self.replies.put(json.loads(line))
        self.replies.put(None)

    def _read_errors(self):
        for line in self.proc.stderr:
            self.errors = (self.errors + [line])[-20:]

    def _expect(self, key, timeout):
        try:
            reply = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise WorkerGone(f"the worker did not answer within {timeout:g} s") from None
        if reply is None or key not in reply:
            raise WorkerGone("the worker process ended: " + "".join(self.errors).strip()[-500:])
        return reply

    def start(self, path, out, student):
        """Start grading; the grader's pid."""
        try:
            self.proc.stdin.write(json.dumps({"path": str(path), "out": str(out), "id": student}) + "\n")
            self.proc.stdin.flush()
        except OSError:
            raise WorkerGone("the worker process ended") from None
        return self._expect("pid", 30)["pid"]

    def finish(self, timeout):
        """(exit status, stderr) of the grader; raises queue.Empty after ``timeout`` seconds."""
        reply = self.replies.get(timeout=timeout)
        if reply is None:
            raise WorkerGone("the worker process ended while grading")
        return reply["code"], reply["error"]

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class Pool:
    """Warm workers for a batch: ``run`` grades one submission on a free one.

    A worker that dies or hangs is killed and replaced by a fresh one; ``interrupt``
    stops every grader as Ctrl-C stopped ``grade-one`` processes: nothing is written
    for the submissions they were grading. ``regrade``: a submission whose worker died
    while grading it is graded again on a fresh one; without it (a platform grading one
    submission alone, where nothing else could have killed the worker), that is a
    failed grade, never a second try on an engine the submission may have touched.
    """

    def __init__(self, assignment, timeout, language=None, regrade=True):
        self.assignment, self.timeout, self.language, self.regrade = assignment, timeout, language, regrade
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.idle = []
        self.everyone = set()
        self.graders = set()

    def _take(self):
        with self.lock:
            if self.idle:
                return self.idle.pop()
        worker = Worker(self.assignment, self.language)
        with self.lock:
            self.everyone.add(worker)
        return worker

    def _discard(self, worker):
        _killpg(worker.proc.pid, signal.SIGKILL)
        worker.proc.wait()
        with self.lock:
            self.everyone.discard(worker)

    def interrupt(self):
        self.stop.set()
        with self.lock:
            for pid in self.graders:
                _killpg(pid, signal.SIGINT)  # pytest stops and closes the sandbox

    def run(self, path, out, student):
        """What went wrong grading (``""``: nothing), or ``INTERRUPTED``."""
        for attempt in range(2):  # a worker that was already dead gets one replacement
            if self.stop.is_set():
                return INTERRUPTED
            worker = self._take()
            try:
                return self._run_on(worker, path, out, student)
            except WorkerGone as gone:
                self._discard(worker)
                if attempt or (gone.while_grading and not self.regrade):
                    return f"the grader process failed: {gone}"
        return INTERRUPTED

    def _run_on(self, worker, path, out, student):
        pid = worker.start(path, out, student)
        with self.lock:
            self.graders.add(pid)
        if self.stop.is_set():
            _killpg(pid, signal.SIGINT)
        try:
            try:
                code, err = worker.finish(self.timeout)
            except queue.Empty:
                _killpg(pid, signal.SIGINT)
                try:
                    worker.finish(15)
                except queue.Empty:
                    _killpg(pid, signal.SIGKILL)
                    self._discard(worker)  # its reply may never come: start afresh
                    worker = None
                return INTERRUPTED if self.stop.is_set() else f"grading took longer than {self.timeout:g} s"
        except WorkerGone as gone:
            worker = None  # dead: run() discards it and, if it may, grades the submission again on a fresh one
            gone.while_grading = True
            raise
        finally:
            with self.lock:
                self.graders.discard(pid)
            if worker is not None:
                with self.lock:
                    self.idle.append(worker)
        if self.stop.is_set():
            return INTERRUPTED
        return f"the grader process failed: {err.strip()[-500:]}" if code else ""

    def close(self):
        with self.lock:
            workers, self.idle = list(self.everyone), []
        for worker in workers:
            worker.close()


class Backend:
    """How the batch grades its entries: on warm workers here (``Workers``) or on a Dask cluster
    (``dask_backend.DaskWorkers``).

    A subclass grades a submission into its results folder with ``run(entry, folder)`` and says
    what went wrong ("" for nothing, or INTERRUPTED). The rest is done here, once: a stopped
    batch grades nothing more, an entry that is not a submission gets a results folder that
    says why, and a grade counts only once its results.json is complete.
    """

    def __init__(self, out_dir, slots):
        self.out_dir, self.slots = Path(out_dir), max(slots, 1)
        self.stop = threading.Event()

    def grade(self, entry):
        """Grade one entry; its results.json document, or None if the batch was interrupted."""
        if self.stop.is_set():
            return None
        folder = self.out_dir / entry.id
        (folder / "results.json").unlink(missing_ok=True)  # regrading: incomplete until rewritten
        if entry.error:
            return write_error(folder, entry.id, entry.error, kind=report.NOT_A_SUBMISSION)
        problem = self.run(entry, folder)
        if problem is INTERRUPTED or self.stop.is_set():
            return None
        if problem or not complete(folder):
            return write_error(folder, entry.id, problem or "no results were written")
        return report.read_results(folder)

    def run(self, entry, folder):
        raise NotImplementedError

    def interrupt(self):
        self.stop.set()

    def close(self):
        pass


class Workers(Backend):
    """Warm workers on this machine (a ``Pool``): ``--jobs`` of them at a time."""

    def __init__(self, assignment, out_dir, timeout, jobs=1, language=None, regrade=True):
        super().__init__(out_dir, jobs)
        self.pool = Pool(assignment, timeout, language, regrade=regrade)
        self.stop = self.pool.stop

    def run(self, entry, folder):
        return self.pool.run(entry.path, folder, entry.id)

    def interrupt(self):
        self.pool.interrupt()

    def close(self):
        self.pool.close()


def write_error(folder, student, error, kind=None):
    """A results folder that says why a submission got no grade."""
    write_submission(Outcome(student, error=error), folder, kind=kind)
    return report.read_results(folder)


def complete(folder):
    """The results folder holds a finished grade (results.json is written last)."""
    try:
        return isinstance(json.loads((Path(folder) / "results.json").read_text()), dict)
    except (OSError, ValueError):
        return False
