# sibmodel: `make app` serves the app, `make test` runs every test. Both install what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8866

.PHONY: install app test lock clean libreoffice report notebooks reports chromium schema docs wheel

# `make report CASE=templates/x.yaml [LANG=da|en]`: the shell's locale LANG (e.g. C.UTF-8) means English.
CASE        ?= templates/family_violence.yaml
REPORT_LANG := $(if $(filter da da_%,$(LANG)),da,en)
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

install: $(STAMP)

# The venv is (re)built when the dependencies or their pins change. constraints.txt pins every package CI installs.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit("sibmodel needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	@echo "make: creating the virtual environment $(VENV)/ with $$($(PYTHON) --version)"
	$(PYTHON) -m venv $(VENV)
	@echo "make: installing sibmodel and the pinned packages of constraints.txt into $(VENV)/ (the first time takes a few minutes)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -c constraints.txt -e '.[test]'
	@echo "make: $(VENV)/ is ready"
	touch $(STAMP)

app: install
	@echo "make: serving the app (sibmodel app --port $(PORT)); Ctrl-C stops it"
	$(BIN)/sibmodel app --port $(PORT)

# The app's browser tests drive Debian's chromium with Playwright (`playwright install` cannot download browsers).
CHROMIUM ?= /usr/bin/chromium
chromium:
	@[ -x $(CHROMIUM) ] || { \
	  echo "Installing Debian's chromium for the app's browser tests"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver || \
	  { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver; }; }

# The workbook tests recalculate with LibreOffice headless: install Debian's Calc when soffice is missing.
libreoffice:
	@command -v soffice >/dev/null 2>&1 || { \
	  echo "Installing LibreOffice Calc (Debian's libreoffice-calc) for the workbook tests"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libreoffice-calc || \
	  { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libreoffice-calc; }; }

# A self-contained HTML report (and PDF where chromium or LibreOffice Writer is present) in reports/.
report: install
	$(BIN)/python -m sibmodel.report "$(CASE)" --lang $(REPORT_LANG) --outdir reports

# Re-execute every notebook in place: nbval compares `make test` against these stored outputs, so run this after
# a deliberate change of the model or the notebooks (no timing metadata, no widget state: diffs stay readable).
notebooks: install
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=300 \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.store_widget_state=False \
	  $$(find notebooks -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

# The business-case notebook for every template with papermill, into reports/notebooks/ (ignored by git), so that
# nothing `make report` wrote is overwritten: executed notebooks and HTML without code, in each language of
# REPORT_LANGS. The HTML goes through the report's own nbconvert template (templates/nbconvert/sibmodel_report):
# no require.js, MathJax or mermaid from a CDN, images inline, so each file opens offline; then it is checked.
REPORT_LANGS ?= en da
BATCH       := reports/notebooks
reports: install
	mkdir -p $(BATCH)
	set -e; for case in templates/*.yaml; do name=$$(basename $$case .yaml); \
	  for lang in $(REPORT_LANGS); do \
	    echo "make: $(BATCH)/$$name.$$lang.ipynb and .html"; \
	    $(BIN)/papermill notebooks/01_business_case.ipynb $(BATCH)/$$name.$$lang.ipynb --cwd notebooks \
	      -p case_path ../$$case -p lang $$lang --no-progress-bar --log-level WARNING; \
	    $(BIN)/jupyter nbconvert --to html --template sibmodel_report \
	      --TemplateExporter.extra_template_basedirs=templates/nbconvert --HTMLExporter.embed_images=True \
	      --no-input --TagRemovePreprocessor.remove_cell_tags=remove-cell --log-level ERROR $(BATCH)/$$name.$$lang.ipynb; \
	  done; done
	$(BIN)/python -c 'import sys, pathlib; from sibmodel.report import remote_assets; \
	  bad = {p.name: remote_assets(p.read_text(encoding="utf-8"))[:3] for p in pathlib.Path("$(BATCH)").glob("*.html")}; \
	  bad = {k: v for k, v in bad.items() if v}; sys.exit(f"remote assets in {bad}") if bad else print("make: every report opens offline")'

# templates/case.schema.json: the schema the templates' first line points editors at (a test checks it is current).
schema: install
	$(BIN)/sibmodel schema -o templates/case.schema.json

# The documentation site in site/ (warnings are errors), with the API reference generated from the docstrings.
docs: install
	$(BIN)/mkdocs build --strict

# The wheel in dist/: it carries data/, templates/ and the notebooks the package runs (see pyproject.toml).
wheel: install
	$(BIN)/python -m pip wheel --no-deps --no-build-isolation --disable-pip-version-check -w dist .

test: install libreoffice chromium
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg -p no:cacheprovider

# Refresh the pins on purpose: a fresh venv with the newest allowed releases, frozen into constraints.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^sibmodel' > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .pytest_cache build dist site *.egg-info
