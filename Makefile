# Entry points: `make reproduce` (the 1980 reproduction), `make test`, and `make figures`
# (redraw the figures in docs/figures from the saved results in docs/results, no training).
# All create .venv when missing and install the package into it.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
OUT    ?= results/fukushima1980

# experiments whose saved results (docs/results/<name>/) `make figures` redraws
FIGURES ?= fukushima1980 fukushima1980_ten mnist_cnn mnist_neocognitron digits_ablation \
	digits_hierarchy shift_invariance

# how each saved run in docs/results/ was made (`make results` remakes them one at a time,
# each using both cores: about 8 h on 2 cores: the shift study about 2.7 h, the hierarchy study 4-5 h)
RESULTS ?= fukushima1980 fukushima1980_ten mnist_cnn mnist_neocognitron digits_ablation \
	shift_invariance
ARGS_fukushima1980      := --quiet
ARGS_fukushima1980_ten  := --quiet
ARGS_mnist_cnn          :=
ARGS_mnist_neocognitron := --quiet
ARGS_digits_ablation    := --quiet
ARGS_shift_invariance   := --quiet

.PHONY: reproduce test lint venv bench clean figures notebooks results results-digits_hierarchy \
	$(FIGURES:%=figures-%) $(RESULTS:%=results-%)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) setup.cfg pyproject.toml
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

venv: $(VENV)/.installed

reproduce: $(VENV)/.installed
	$(PY) experiments/fukushima1980.py --out $(OUT)

# Saved results come only from clean commits: the experiments refuse to write into
# docs/results/ from a tree with uncommitted changes (neocognitron.workflow.provenance).
results: $(RESULTS:%=results-%) results-digits_hierarchy

# the digit hierarchy study is three commands into one folder: validation splits A and B,
# then the test set once, for the final defaults (hours; every record resumes)
DH := MPLBACKEND=Agg $(PY) experiments/digits_hierarchy.py --out docs/results/digits_hierarchy --quiet
results-digits_hierarchy: $(VENV)/.installed
	$(DH) --split A
	$(DH) --split B
	$(DH) --split test --rows deep,shallow,pixels_1nn,lenet5
	$(MAKE) figures-digits_hierarchy

$(RESULTS:%=results-%): results-%: $(VENV)/.installed
	MPLBACKEND=Agg $(PY) experiments/$*.py --out docs/results/$* $(ARGS_$*)
	$(MAKE) figures-$*

# one target per experiment, so that `make -j2 figures` draws two at a time
figures: $(FIGURES:%=figures-%)

$(FIGURES:%=figures-%): figures-%: $(VENV)/.installed
	MPLBACKEND=Agg $(PY) experiments/$*.py --replot docs/results/$* --out docs/figures/$*

# re-execute the notebooks in place, outputs and figures included, after a change to the code
# they show (tests/test_notebooks.py fails until then); MNIST from $NEOCOGNITRON_DATA
notebooks: $(VENV)/.installed-test
	$(PY) notebooks/execute.py

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .

test: lint
	$(PY) -m pytest -q

# every benchmark; bench_cnn times PyTorch beside ours only where it is installed
bench: $(VENV)/.installed
	$(PY) benchmarks/bench_cells.py
	$(PY) benchmarks/bench_neocognitron.py
	$(PY) benchmarks/bench_cnn.py
	$(PY) benchmarks/bench_startup.py

clean:
	rm -rf $(VENV) results .pytest_cache
