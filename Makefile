# Two set-up-and-run entry points: `make demo` and `make test`. Both bootstrap
# .venv on first use and are safe to run again.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test data release bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[keras,nbgrader,dask]'
	$(PY) -m ipykernel install --sys-prefix >/dev/null  # the kernel nbgrader runs notebooks in
	touch $(STAMP)

data: $(STAMP)
	$(PY) -m autograder data

demo: data
	$(PY) -m autograder grade examples --out out/demo --jobs 2

test: data
	$(PY) -m pytest

release: $(STAMP)
	$(PY) -m autograder release mnist_mlp

N ?= 1000
bench: data  # N: size of the synthesised large class
	$(PY) benchmarks/bench.py --n $(N)

clean:
	rm -rf $(VENV) out dist
