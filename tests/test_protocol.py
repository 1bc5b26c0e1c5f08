"""The sandbox protocol from the trusted side: it answers only what the call needs, measures the
child itself, and cuts everything the child sends; the child only computes.

Each test starts a real sandbox child on a few lines of student code (no grading, no MNIST).
"""
import resource

import numpy as np
import pytest

from autograder.definitions import Statement
from autograder.sandbox import runner
from autograder.sandbox.runner import Limits, Sandbox, StudentCrash, StudentException

ASK = '''
import json, sys
import numpy as np
from autograder import wire

def ask(name, *args):
    config = json.loads(sys.argv[-1])
    wire.send(config["fd_out"], {"callback": name, "args": list(args), "kwargs": {}})
    return wire.Reader(config["fd_in"]).receive()
'''


def sandbox(source, oracle=None):
    return Sandbox([Statement("<test>", 1, ASK + source)], "student", oracle=oracle,
                   limits=Limits(call_seconds=20, submission_seconds=120))


def one_hot(labels, num_classes=10):
    labels = np.asarray(labels).astype(int)
    out = np.zeros((labels.size, num_classes))
    out[np.arange(labels.size), labels] = 1
    return out


def test_a_callback_is_answered_only_for_the_helpers_the_call_substitutes():
    with sandbox("def f(labels):\n    return ask('one_hot', labels, 3)\n", {"one_hot": one_hot}) as box:
        assert "error" in box.call("f", np.array([0, 2]))  # no helper substituted in this call
        reply = box.call("f", np.array([0, 2]), oracles=["one_hot"])
        np.testing.assert_array_equal(reply["value"], np.eye(3)[[0, 2]])


def test_a_callback_far_larger_than_the_call_is_refused_before_anything_is_built():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with sandbox("def f(labels):\n    return ask('one_hot', np.arange(10), 20_000_000)\n",
                 {"one_hot": one_hot}) as box:
        reply = box.call("f", np.array([0, 2]), oracles=["one_hot"])
    assert "far larger than the check's" in reply["error"]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB: nothing like 1.6 GB


def test_a_flood_of_callbacks_stops_the_call():
    with sandbox("def f(x):\n    while True:\n        ask('one_hot', x)\n", {"one_hot": one_hot}) as box:
        with pytest.raises(StudentCrash, match="more than 64 requests"):
            box.call("f", np.array([1]), oracles=["one_hot"])


def test_every_text_the_child_sends_is_cut_here():
    patch = '''
import gc
def f():
    for obj in gc.get_objects():
        if type(obj).__name__ == "_Server":
            honest = obj.call
            def call(request, honest=honest):
                reply = honest(request)
                reply.update(ok=False, printed="p" * 100_000, warnings=["w" * 3_000] * 100,
                             error={"type": "T" * 5_000, "message": "m" * 400_000, "where": "", "function": ""})
                return reply
            obj.call = call
    return 1
'''
    with sandbox(patch) as box:
        box.call("f")
        with pytest.raises(StudentException) as err:
            box.call("f")
        assert len(str(err.value)) < 1_000
        assert len(box.warnings) == runner.WARNINGS and max(map(len, box.warnings)) < 400
        assert len(box.printed) < runner.PRINTED_CHARS + 100


def test_a_reply_too_large_to_read_is_refused():
    with sandbox("def f():\n    return np.zeros(3_000_000)\n") as box:  # 24 MB of arrays
        with pytest.raises(StudentCrash, match="cannot read"):
            box.call("f")


def test_cpu_time_is_measured_from_outside_the_child():
    burn = '''
import os, time
def f():
    frozen = time.process_time()
    time.process_time = time.perf_counter = time.monotonic = time.time = lambda: frozen
    if os.fork() == 0:  # most of the work happens in a process of its own
        x = 0
        for i in range(20_000_000):
            x += i
        os._exit(0)
    os.wait()
    return 1
'''
    with sandbox(burn) as box:
        box.call("f")
        cpu, _waited = box.times()
    assert cpu > 0.8  # 20 million additions take about a second of CPU time, however busy the machine


def test_a_helper_the_submission_lacks_stays_missing_after_an_isolated_call():
    code = "def train_step(x):\n    return cross_entropy_error(x)\n\ndef has_it():\n    return 'cross_entropy_error' in globals()\n"
    with sandbox(code, {"cross_entropy_error": lambda x: 1.0}) as box:
        assert box.call("train_step", 0.5, oracles=["cross_entropy_error"]) == 1.0
        assert box.call("has_it") is False  # not left behind as None
        with pytest.raises(StudentException, match="NameError"):
            box.call("train_step", 0.5)


def test_printed_text_is_shown_as_a_terminal_last_showed_it():
    """Keras's progress bar redraws its line: colour codes, carriage returns and backspaces would
    reach a feedback page as noise; only what the terminal ended up showing is kept."""
    bar = ("Epoch 1/10\n\x1b[1m1/2\x1b[0m \x1b[32m━━━\x1b[0m\x1b[37m━━\x1b[0m 2s/step - loss: 2.21" + "\b" * 10
           + "\r\x1b[1m2/2\x1b[0m \x1b[32m━━━━━\x1b[0m 546ms/step - accuracy: 0.1053\n"
           "ab\bc\x07\x1b]0;a window title\x07 done\r\n")
    assert runner.as_a_terminal_shows(bar) == "Epoch 1/10\n2/2 ━━━━━ 546ms/step - accuracy: 0.1053\nac done\n"
    assert runner.as_a_terminal_shows("plain\ttext\n") == "plain\ttext\n"
