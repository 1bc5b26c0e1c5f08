# Two set-up-and-run entry points: `make demo` and `make test`. Both bootstrap
# .venv on first use and are safe to run again.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test data release messages bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[keras,nbgrader,dask,i18n]'
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

# After wrapping or changing student-facing messages in _(): refresh the catalogues, translate
# the new empty entries of autograder/locale/*/LC_MESSAGES/autograder.po, then run this again.
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --omit-header --sort-output \
		-o autograder/locale/autograder.pot .
	$(VENV)/bin/pybabel update -D autograder -i autograder/locale/autograder.pot -d autograder/locale \
		--no-fuzzy-matching --ignore-obsolete --width 100
	$(VENV)/bin/pybabel compile -D autograder -d autograder/locale

N ?= 1000
bench: data  # N: size of the synthesised large class
	$(PY) benchmarks/bench.py --n $(N)

clean:
	rm -rf $(VENV) out dist
