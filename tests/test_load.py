"""The same bytes get the same grade on a busy machine.

The training run's budget is the CPU time of the student's code, measured by the grader from
/proc, and the time a busy machine makes it wait for a CPU is excused: a correct file many
times slower than the reference keeps its points while other processes saturate every core.
"""
import os
import subprocess
import sys

import pytest

from kit import STYLES, grade

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
SLOW_STYLE = next(p for p in STYLES if p.stem == "per_sample_loops")


@pytest.fixture
def busy_machine():
    """A busy loop on every core, and one more, for as long as the test runs."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range((os.cpu_count() or 1) + 1)]
    yield
    for burner in burners:
        burner.kill()
        burner.wait()


def test_a_slow_correct_file_keeps_full_marks_on_a_busy_machine(busy_machine, tmp_path):
    results = grade([SLOW_STYLE], tmp_path / "out", jobs=2)["per_sample_loops"]
    training = results["extra_data"]["artifacts"]["training"]
    assert results["score"] == 100, training
    assert training["completed"] and training["ms_per_step"] > 3  # it is slow, and it was measured
