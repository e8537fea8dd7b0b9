# Thin wrapper over CMake. `make run` and `make test` install what is missing first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
LISTEN     ?= 127.0.0.1:8080
DB         ?= ./contactd.db
FUZZ_SECONDS ?= 60

# Debian 12 packages the build, the tests and the benchmark need.
PACKAGES = build-essential cmake pkg-config \
           libcpp-httplib-dev libsqlitecpp-dev libsqlite3-dev libssl-dev nlohmann-json3-dev doctest-dev \
           libexpected-dev libphonenumber-dev iso-codes libargon2-dev john-data \
           libcurl4-openssl-dev python3 python3-aiosmtpd sqlite3 curl chromium
# The benchmark (make bench) drives the server with wrk.
PACKAGES += wrk
# clang++ and its libFuzzer runtime (libclang-rt-dev is Debian's libclang-rt-14-dev, the
# compiler-rt of the default clang) build the fuzz targets in fuzz/.
PACKAGES += clang libclang-rt-dev
# The portal's browser test (tests/e2e) drives Debian's chromium (any current release;
# playwright-core never downloads a browser of its own) from Node.js >= 18:
# playwright-core is pinned to 1.61.1, the last release whose engines allow Node 18, the
# version of Debian 12's nodejs. A machine that already has node and npm keeps them (e.g.
# NodeSource's nodejs, which bundles npm and conflicts with Debian's npm package).
PACKAGES += $(if $(shell command -v node 2>/dev/null),,nodejs) $(if $(shell command -v npm 2>/dev/null),,npm)
E2E_DEPS  = tests/e2e/node_modules/.package-lock.json
# Operations (tests/ops, `make deb`): nginx for the TLS proxy test, Debian's Prometheus
# text parser, openssl for the test certificate, systemd's systemd-analyze for the unit,
# dpkg-dev (dpkg-shlibdeps) for CPack's package dependencies.
PACKAGES += nginx python3-prometheus-client openssl systemd dpkg-dev file
DEB_BUILD ?= build-deb

.PHONY: all deps build run test asan fuzz bench deb format clean

all: build

deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	CONTACTD_LISTEN=$${CONTACTD_LISTEN:-$(LISTEN)} CONTACTD_DB=$${CONTACTD_DB:-$(DB)} ./$(BUILD)/contactd serve

# The browser test's npm packages come first, so that configuring registers e2e/portal.
test: deps $(E2E_DEPS) build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

$(E2E_DEPS): tests/e2e/package.json tests/e2e/package-lock.json | deps
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/e2e --no-audit --no-fund

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCONTACTD_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

# Each libFuzzer target of fuzz/ for FUZZ_SECONDS (60) from its seeds, JOBS at a time;
# `make test` runs them for 10 s each. What a run finds stays in $(BUILD)/fuzz/work/.
fuzz: build
	cd $(BUILD) && CONTACTD_FUZZ_SECONDS=$(FUZZ_SECONDS) ctest -L libfuzzer --no-tests=error \
	  --timeout $$(( $(FUZZ_SECONDS) + 300 )) --output-on-failure -j $(JOBS)

# The Debian package (CPack): a Release build of the binary, then build-deb/contactd_*.deb.
deb: deps
	cmake -S . -B $(DEB_BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(DEB_BUILD) -j $(JOBS) --target contactd
	cd $(DEB_BUILD) && cpack -G DEB
	@ls -1 $(DEB_BUILD)/contactd_*.deb

# The benchmark: a Release build on a fresh database, CONTACTS seeded, each scenario for
# BENCH_SECONDS at 32 and 256 connections; the table is printed and written to BENCH_JSON.
RELEASE_BUILD ?= build-release
CONTACTS      ?= 10000
BENCH_SECONDS ?= 10
BENCH_JSON    ?= bench-results.json
bench: deps
	cmake -S . -B $(RELEASE_BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(RELEASE_BUILD) -j $(JOBS) --target contactd
	python3 bench/run.py $(RELEASE_BUILD)/contactd --contacts $(CONTACTS) \
	  --duration $(BENCH_SECONDS) --json $(BENCH_JSON)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(DEB_BUILD) $(RELEASE_BUILD)
