# Stackwright: `make serve` and `make test` set up everything they need on a fresh
# Debian 12 machine (rustup, cargo, node, npm and python3 present) and are fast when
# everything is already installed.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true

.PHONY: serve test build tools test-tools bench bench-native bench-size bench-count check-configs drill multi-host fuzz

## serve: install what is missing, build, and serve the app on http://127.0.0.1:8080
serve: tools
	@echo "Stackwright is served on http://127.0.0.1:8080"
	trunk serve --release --offline --address 127.0.0.1 --port 8080 --open=false

## test: install what is missing and run every suite; last line "N passed, N failed"
test: test-tools
	scripts/test.sh

## build: the release build of the app into dist/
build: tools
	trunk build --release --offline

## bench-size: release sizes of the wasm, JS and CSS, raw and gzipped
bench-size: build
	scripts/size.sh

## check-configs: render every fixture design and check it with the real daemons
check-configs: test-tools
	tests/daemons/check.sh

## drill: the exercise's steps 9-14 on the real chain
drill: test-tools
	tests/stack/drill.sh

## multi-host: a design on three machines (network namespaces), each set up by its README
multi-host: test-tools
	tests/stack/multi-host.sh

tools:
	@scripts/setup.sh build

test-tools:
	@scripts/setup.sh test

## bench: one table (and target/bench.json) of sizes, cold load, edit latency and export in
## headless Chromium, native criterion figures, share link lengths and render scaling
bench: test-tools build
	node scripts/bench.mjs

## bench-native: the native benchmarks alone, with criterion's full settings
bench-native:
	cargo bench -p stackwright-core

## bench-count: instructions (callgrind's Ir) of 20 x (validate + render) at 64 instances
bench-count:
	cargo build --release -p stackwright-core --example engine_count
	valgrind --tool=callgrind --callgrind-out-file=target/engine_count.callgrind target/release/examples/engine_count 2>&1 | \
		awk '/Collected :/ { printf "20 x (validate + render), 64 instances: %.1f M instructions\n", $$NF / 1e6 } !/^==/'

## fuzz: every decoder of outside input (share links, topology.json, buildouts, zips) fed
## 2.26 million mutated real inputs and random bytes (every design it reads also rendered and
## round-tripped); fails on a panic or an input slower
## than 100 ms. About 4 minutes of fuzzing after the build (overflow checks on).
fuzz:
	cargo run --profile fuzz -p stackwright-core --example fuzz
