import os

# Training in this process (calibration, the trainer's tests) runs as the grader's processes do: one
# BLAS thread. Threads of their own on a busy 2-core machine wait for each other: a run of the
# schedule that takes 4 s took 48 s beside three busy loops, and 75 s in a loaded CI run.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

from kit import corpus_checks, corpus_folder, corpus_grades  # noqa: E402,F401  (session fixtures, after the threads)
