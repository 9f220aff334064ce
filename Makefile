# 物业治理工作台 — the README's commands. `make run` serves the demo; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
DB := instance/jianguo.sqlite
DEMO_PASSWORD ?= Jianguo-demo-2024
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install system-packages print-fonts run test e2e bench bench-quick clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: system-packages $(VENV)/.installed print-fonts

# The GB 2312 print faces of reports/fonts.py, cut from the installed Noto fonts when missing or
# stale (a no-op otherwise). Without them filings print the same, only slower: go on.
print-fonts: system-packages $(VENV)/.installed
	-@$(BIN)/python -m reports.fonts

system-packages:
	@sh scripts/install-system-packages.sh

instance/config.py:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print('SECRET_KEY = %r' % secrets.token_hex(32))" > $@
	@echo "# make run serves plain http on 127.0.0.1: a Secure cookie would never come back." >> $@
	@echo "SECURE_COOKIES = False" >> $@
	@echo "已生成 instance/config.py（随机 SECRET_KEY；本机 http 演示不设 Secure Cookie）。"

$(DB): | install instance/config.py
	$(FLASK) init-db
	$(FLASK) seed-demo --password '$(DEMO_PASSWORD)'

run: install instance/config.py $(DB)
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

# Browser tests (issue 9): Debian's Chromium (installed with apt-get when missing and root),
# never a downloaded browser; they also refresh docs/screenshots/.
$(VENV)/.installed-e2e: pyproject.toml | $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,e2e]'
	touch $@

/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "请先安装 Chromium（Debian/Ubuntu: sudo apt-get install chromium）。" >&2; exit 1; \
	fi

e2e: install $(VENV)/.installed-e2e /usr/bin/chromium
	$(BIN)/python -m pytest e2e

# Benchmark of issue 8 (bench/README.md): `bench-quick` at 100,000 cases, `bench` at three
# sizes and on PostgreSQL; both print one table and write bench/results.json.
BENCH_PG ?= postgresql://postgres@127.0.0.1:5432/bench

bench: install
	$(BIN)/python -m bench.run --sizes 10000,100000,1000000 --postgresql '$(BENCH_PG)'

bench-quick: install
	$(BIN)/python -m bench.run --sizes 100000 --runs 5

clean:
	rm -rf $(VENV) .pytest_cache
