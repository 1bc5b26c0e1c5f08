"""How checks reach student code, whatever runs it: the sandbox or a Jupyter kernel.

Standard library only: the in-kernel runner (nbgrader/checks.py) imports it too.
"""
import functools


class StudentCalls:
    """``student.softmax(x)``, ``student.isolated("train_step")(...)``, ``student.harness("train", ...)``.

    A subclass defines ``call(name, *args, oracles=(), timeout=None, target="module",
    requires=(), **kwargs)``, ``times()`` (the CPU seconds the student's code has used, and
    the seconds it waited for a CPU, measured by the trusted side) and ``_graded``, the names
    of the graded functions.
    """

    def own_process(self, name):
        """A proxy whose calls run in a process of their own named ``name`` (where there are processes)."""
        return self

    def isolated(self, name):
        """Call ``name`` with the other graded functions answered by the reference.

        So a bug in softmax costs softmax's points, not train_step's as well. Without a
        reference (the student's self-check) the student's own functions are used.
        """
        return functools.partial(self.call, name, oracles=[g for g in self._graded if g != name])

    def harness(self, name, *args, timeout=None, **kwargs):
        """Call a harness function; it drives the student's code, so it needs all of it."""
        return self.call(name, *args, timeout=timeout, target="harness", requires=self._graded, **kwargs)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return functools.partial(self.call, name)
