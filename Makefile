# The two commands of the README:
#   make book   builds the website into _build/html
#   make test   runs every test: unit tests of ainotes, its doctests, every chapter under strict nbval, then builds
#               the website and tests it in a real browser (tests/browser)
# Both create the virtual environment .venv from the project's own files on first use.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# The versions the committed notebook outputs were made with. Readers use requirements.txt's ranges.
TORCH  ?= torch==2.14.1 torchvision==0.29.1
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=900

.PHONY: book test browser unit notebooks editions student colab-check lint benchmark clean

$(VENV)/.installed: pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -r requirements.txt -e ".[book,test]"
	touch $@

book: $(VENV)/.installed
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory _vendor/.copied; \
	else echo "npm not found: the website will load MathJax and the widget manager from CDNs"; fi
	$(VENV)/bin/jupyter-book build -n -W --keep-going .

# MathJax and the widget manager, served by the website itself (web/README.md).
_vendor/.copied: web/package.json web/package-lock.json web/patch_embed_amd.py $(VENV)/.installed
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	rm -rf _vendor && mkdir -p _vendor/widgets _vendor/mathjax/output/chtml/fonts
	cp web/node_modules/requirejs/require.js _vendor/widgets/
	cp web/node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js _vendor/widgets/
	$(PY) web/patch_embed_amd.py _vendor/widgets/embed-amd.js
	cp web/node_modules/@jupyter-widgets/html-manager/dist/*.woff2 _vendor/widgets/
	cp web/node_modules/mathjax/es5/tex-chtml.js _vendor/mathjax/
	cp -r web/node_modules/mathjax/es5/output/chtml/fonts/woff-v2 _vendor/mathjax/output/chtml/fonts/
	touch $@

test: $(VENV)/.installed
	$(PY) -m pytest $(NBVAL) ainotes tools tests book
	$(MAKE) --no-print-directory book
	$(MAKE) --no-print-directory browser

# The built website in headless Chromium (tests/browser): every page at desktop and phone width, light and dark.
# Needs Chromium on the PATH (Debian: apt-get install chromium) or AINOTES_CHROMIUM; screenshots go to _build/screenshots.
browser: $(VENV)/.installed
	$(PY) -m pytest tests/browser

# Faster loop while working on ainotes: no notebooks.
unit: $(VENV)/.installed
	$(PY) -m pytest ainotes tools tests

# Re-execute chapters in place (outputs committed), e.g. make notebooks NB=book/01-first-cnn.ipynb
# A cell that waits over 900 s without output fails instead of hanging (a kernel once stalled here, idle).
NB ?= $(wildcard book/[0-9]*.ipynb)
# Then regenerates the Colab and student editions from the executed chapters.
notebooks: $(VENV)/.installed
	$(VENV)/bin/jupyter execute --inplace --kernel_name=python3 --timeout=900 $(NB)
	$(PY) -m tools.editions

# The Colab edition (colab/) and the student edition (student/) of every chapter, from book/.
editions: $(VENV)/.installed
	$(PY) -m tools.editions

# Only the student edition: solutions removed, exercises left as stubs (student/).
student: $(VENV)/.installed
	$(PY) -m tools.editions student

# Colab's widget and kernel versions in a second environment (.venv-colab); see .ci/colab-check.
colab-check:
	bash .ci/colab-check

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check ainotes tests benchmarks tools web book/_ext
	$(VENV)/bin/ruff format --check ainotes tests benchmarks tools web book/_ext

benchmark: $(VENV)/.installed
	$(PY) benchmarks/fit_overhead.py
	$(PY) benchmarks/activation_stats_overhead.py

clean:
	rm -rf _build .pytest_cache _vendor web/node_modules .venv-colab

# Issue 13's trainer comparison (benchmarks/README.md): the same run by a hand-written loop, fit, fastai and
# Lightning. fastai and Lightning live in their own environment, .venv-trainers, never in .venv; TORCH is
# repeated in the extra's install so that pip keeps the pinned torch.
TRAINERS_PY := .venv-trainers/bin/python

.venv-trainers/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-trainers
	$(TRAINERS_PY) -m pip install --quiet --upgrade pip
	$(TRAINERS_PY) -m pip install --quiet $(TORCH)
	$(TRAINERS_PY) -m pip install --quiet -e ".[trainers]" $(TORCH)
	touch $@

.PHONY: trainers
trainers: .venv-trainers/.installed
	$(TRAINERS_PY) benchmarks/trainers.py
