# sibmodel: `make app` serves the app, `make test` runs every test. Both install what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8866

.PHONY: install app test lock clean

install: $(STAMP)

# The venv is (re)built when the dependencies or their pins change. constraints.txt pins every package CI installs.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit("sibmodel needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

app: install
	@echo "Serving the app on http://localhost:$(PORT) (Ctrl-C stops it)"
	$(BIN)/voila notebooks/apps/app.ipynb --port=$(PORT) --no-browser --Voila.ip=127.0.0.1

test: install
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg -p no:cacheprovider

# Refresh the pins on purpose: a fresh venv with the newest allowed releases, frozen into constraints.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^sibmodel' > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
