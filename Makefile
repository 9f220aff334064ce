# 物业治理工作台 — the README's commands. `make run` serves the demo; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
DB := instance/jianguo.sqlite
DEMO_PASSWORD ?= Jianguo-demo-2024
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install system-packages run test e2e bench bench-quick clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: system-packages $(VENV)/.installed

system-packages:
	@sh scripts/install-system-packages.sh

instance/config.py:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print('SECRET_KEY = %r' % secrets.token_hex(32))" > $@
	@echo "已生成 instance/config.py（随机 SECRET_KEY）。"

$(DB): | install instance/config.py
	$(FLASK) init-db
	$(FLASK) seed-demo --password '$(DEMO_PASSWORD)'

run: install instance/config.py $(DB)
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

# Benchmark of issue 8 (bench/README.md): `bench-quick` at 100,000 cases, `bench` at three
# sizes and on PostgreSQL; both print one table and write bench/results.json.
BENCH_PG ?= postgresql://postgres@127.0.0.1:5432/bench

bench: install
	$(BIN)/python -m bench.run --sizes 10000,100000,1000000 --postgresql '$(BENCH_PG)'

bench-quick: install
	$(BIN)/python -m bench.run --sizes 100000 --runs 5

clean:
	rm -rf $(VENV) .pytest_cache
