# Two set-up-and-run entry points: `make demo` and `make test`. Both bootstrap
# .venv on first use and are safe to run again.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test data release messages audit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[keras,nbgrader,dask,i18n]'
	$(PY) -m ipykernel install --sys-prefix >/dev/null  # the kernel nbgrader runs notebooks in
	touch $(STAMP)

data: $(STAMP)
	$(PY) -m autograder data

# The NumPy half's examples do not name their assignment (alice.py): it is named. The Keras half's
# students hand in keras_mlp.py or .ipynb, which says it.
demo: data
	$(PY) -m autograder grade examples/*.py examples/*.ipynb --assignment mnist_mlp --out out/demo/mnist_mlp --jobs 2
	$(PY) -m autograder grade examples/keras_mlp --out out/demo/keras_mlp --jobs 2

test: data
	$(PY) -m pytest --durations=40

# Every assignment with an instructor's folder (solutions/<id>/): what release and audit work on.
ASSIGNMENTS := $(filter $(notdir $(wildcard solutions/*)),$(notdir $(patsubst %/assignment.toml,%,$(wildcard assignments/*/assignment.toml))))

release: $(STAMP)
	@set -e; for a in $(ASSIGNMENTS); do $(PY) -m autograder release $$a; done

# Mutation-test every assignment's rubric in full: each one-change mutant of the reference graded
# like a submission (about 20-30 min for mnist_mlp on 2 cores); reports in out/audit/<id>/.
audit: data
	@set -e; for a in $(ASSIGNMENTS); do $(PY) -m autograder audit $$a --jobs 2; done

# After wrapping or changing student-facing messages: refresh the catalogues, translate the new
# empty entries of every <locale folder>/<lang>/LC_MESSAGES/<domain>.po, then run this again.
# The catalogues (autograder/i18n.py): the engine's, then each assignment's public and hidden checks'.
BABEL := $(VENV)/bin/pybabel
LANGUAGES := $(notdir $(patsubst %/,%,$(wildcard autograder/locale/*/)))
# A release stub's `raise NotImplementedError("hint")` is a message too: students read its hint.
CATALOGUES := autograder:autograder/locale:autograder \
	$(foreach d,$(wildcard assignments/*/assignment.toml),$(dir $(d)):$(dir $(d))locale:checks) \
	$(foreach d,$(wildcard solutions/*/tests),$(d):$(dir $(d))locale:checks)

messages: $(STAMP)
	@set -e; for c in $(CATALOGUES); do \
		src=$${c%%:*}; rest=$${c#*:}; dir=$${rest%%:*}; domain=$${rest#*:}; \
		mkdir -p $$dir; \
		$(BABEL) extract -F babel.cfg -k check:2 -k NotImplementedError --no-location --omit-header --sort-output \
			-o $$dir/$$domain.pot $$src; \
		for lang in $(LANGUAGES); do [ -f $$dir/$$lang/LC_MESSAGES/$$domain.po ] || \
			$(BABEL) init -D $$domain -i $$dir/$$domain.pot -d $$dir -l $$lang --width 100; done; \
		$(BABEL) update -D $$domain -i $$dir/$$domain.pot -d $$dir --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --width 100; \
		$(BABEL) compile -D $$domain -d $$dir; \
	done

N ?= 1000
DASK_N ?= 200
bench: data  # N: size of the synthesised large class graded locally; DASK_N: through Dask (about 40 min in all)
	$(PY) benchmarks/bench.py --n $(N) --dask-n $(DASK_N)

clean:
	rm -rf $(VENV) out dist
