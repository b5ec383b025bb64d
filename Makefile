# gridshock: `make run` runs the default cases, `make test` runs the test suite.
# Both create .venv (Python 3.11) and install the project into it when missing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-slow bench reference clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/gridshock run-all cases --out results; status=$$?; \
	$(BIN)/gridshock report results --out results/report; exit $$status

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

# same-run performance ratios (py-pde installed as the peer): results/bench.json + results/bench.md, ~5-8 min
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/gridshock bench

reference: $(STAMP)
	$(BIN)/gridshock reference

clean:
	rm -rf $(VENV) results .pytest_cache
	find solvers postprocess tests -name __pycache__ -type d -prune -exec rm -rf {} +
