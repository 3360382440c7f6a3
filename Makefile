# The README's two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
DATA ?= rag-data
export TOKENIZERS_PARALLELISM := false
export HF_HUB_OFFLINE := 1

.PHONY: run test install install-dev lexicon lint typecheck pytest ui eval xquad bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	# The CPU build of torch first: anything that pulls torch in later then finds it.
	$(PIP) install torch==2.13.0
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# FreeDict's English-Hindi dictionary (Debian, GPL, read in place) lets answers
# cross languages beyond shared names and numbers; optional where apt is not.
lexicon:
	bash .ci/apt-install dict-freedict-eng-hin \
		|| echo "note: no dict-freedict-eng-hin; cross-language matching uses names and numbers only"

# Ingest the bundled sample corpus, then answer one English and one Hindi question.
run: install lexicon
	$(VENV)/bin/rag ingest index/sample_corpus --data-dir $(DATA)
	$(VENV)/bin/rag ask "How long after liftoff was the NVS-04 satellite placed in orbit?" --data-dir $(DATA)
	$(VENV)/bin/rag ask "पुणे मेट्रो के नए खंड का उद्घाटन किसने किया?" --data-dir $(DATA)

test: install-dev
	bash .ci/apt-install dict-freedict-eng-hin
	bash .ci/install-browser-deps
	$(MAKE) lint typecheck pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck:
	$(VENV)/bin/mypy

pytest:
	$(VENV)/bin/pytest -q

ui: install
	$(VENV)/bin/rag ui --data-dir $(DATA)

eval: install
	$(VENV)/bin/rag eval --set seed
	$(VENV)/bin/rag eval --set sample

# XQuAD dev (../shared/bench/xquad, loaded by path): one language, the mixed
# pool, and both cross-language directions.
xquad: install
	for mode in en hi mixed hi-en en-hi; do $(VENV)/bin/rag eval --squad $$mode --out runs/xquad || exit 1; done

bench: install-dev
	$(VENV)/bin/rag bench

clean:
	rm -rf $(DATA) runs .pytest_cache .mypy_cache .ruff_cache
