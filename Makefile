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

# the default cases, then two small method studies (EOC table, work-precision with solve_ivp peers) for the report
run: $(STAMP)
	$(BIN)/gridshock run-all cases --out results; status=$$?; \
	$(BIN)/gridshock convergence cases/heat_symmetric_1d.toml --levels 3 --set 'grid.points=[192]' \
	    --out results/studies --quiet || status=$$?; \
	$(BIN)/gridshock study work-precision cases/burgers_symmetric_1d.toml --levels 3 \
	    --schemes weno5+ssprk3,muscl_mc+imex_ars222,weno5+crank_nicolson --set 'grid.points=[192]' --set time.stop=0.5 \
	    --set time.saves=2 --set method.crosscheck=false --out results/studies --quiet || status=$$?; \
	$(BIN)/gridshock report results results/studies --out results/report; exit $$status

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
