#!/usr/bin/env bash
# Runs every suite, even after one fails, and sums their results.
# The last line is "N passed, N failed"; the exit status is non-zero if anything
# failed or could not run.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
logs=target/test-logs
mkdir -p "$logs"

total_passed=0
total_failed=0
summary=()

# run NAME COUNTER COMMAND...: runs a suite, logs it, counts its results with COUNTER.
run() {
    local name=$1 counter=$2
    shift 2
    local log="$logs/$name.log" start=$SECONDS cpu
    cpu=$(cpu_ticks)
    echo "=== $name: $*"
    "$@" 2>&1 | tee "$log"
    count "$name" "$counter" "${PIPESTATUS[0]}" "$start" "$cpu"
}

# cpu_ticks: "BUSY TOTAL", the machine's CPU time so far (every core, in clock ticks), so a
# suite's summary line says how many of the cores it kept busy (and so what running it
# beside another suite could gain).
cpu_ticks() {
    local _cpu user nice system idle iowait irq softirq steal
    read -r _cpu user nice system idle iowait irq softirq steal _ < /proc/stat
    echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
}

# run_side_by_side NAME:COMMAND...: suites that use machines of their own (separate
# network namespaces, bridges and disks) run at the same time; each log is shown when all
# are done, then counted as run does. The two cores mostly wait on the machines' I/O.
run_side_by_side() {
    local spec name pids=() names=() starts=() i status cpu
    cpu=$(cpu_ticks)
    for spec in "$@"; do
        name=${spec%%:*}
        echo "=== $name (side by side): ${spec#*:}"
        # shellcheck disable=SC2086
        ${spec#*:} > "$logs/$name.log" 2>&1 &
        pids+=($!)
        names+=("$name")
        starts+=("$SECONDS")
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}"
        status=$?
        echo "=== ${names[$i]}: its log"
        cat "$logs/${names[$i]}.log"
        count "${names[$i]}" plain_counts "$status" "${starts[$i]}" "$cpu"
    done
}

# count NAME COUNTER STATUS START CPU: adds a suite's counts (from its log) to the totals;
# its summary line has its time and the cores busy meanwhile (CPU: cpu_ticks at its start).
count() {
    local name=$1 counter=$2 status=$3 start=$4 cpu_start=$5 log="$logs/$1.log"
    local counts passed failed busy total cores
    counts=$("$counter" "$log")
    passed=${counts% *}
    failed=${counts#* }
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1   # the suite failed without a count: it could not run
    fi
    if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
        failed=$((failed + 1))   # a suite that ran nothing is a failure too
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    read -r busy total < <(cpu_ticks)
    busy=$((busy - ${cpu_start% *}))
    total=$((total - ${cpu_start#* }))
    cores=$(awk -v b="$busy" -v t="$total" -v n="$(nproc)" 'BEGIN { printf "%.1f", (t > 0 ? b / t * n : 0) }')
    summary+=("$(printf '%-16s %4d passed, %d failed  (%ds, %s of %d cores busy)' "$name" "$passed" "$failed" $((SECONDS - start)) "$cores" "$(nproc)")")
}

cargo_counts() {
    awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
         END { print p + 0, f + 0 }' "$1"
}
node_counts() {
    awk '/^# pass / { p += $3 } /^# fail / { f += $3 } END { print p + 0, f + 0 }' "$1"
}
plain_counts() {
    awk '/^[0-9]+ passed, [0-9]+ failed/ { p = $1; f = $3 } END { print p + 0, f + 0 }' "$1"
}
build_counts() {
    # One check: the release build succeeded.
    if grep -q 'success' "$1"; then echo "1 0"; else echo "0 1"; fi
}

# lint: the gates, one check each: formatting, clippy with warnings denied (natively and
# for the app's wasm target, where its browser code is compiled), and the docs with
# broken intra-doc links denied. Each prints "PASS: NAME" or "FAIL: NAME". It compiles
# in a target folder of its own at the lowest CPU and I/O priority, so that it can run
# beside the stack suites, on the time their machines leave the cores idle.
lint() {
    local passed=0 failed=0 name
    export CARGO_TARGET_DIR="$root/target/lint"
    gate() {
        name=$1
        shift
        if nice -n 19 ionice -c 3 "$@"; then echo "PASS: $name"; passed=$((passed + 1)); else echo "FAIL: $name"; failed=$((failed + 1)); fi
    }
    gate "cargo fmt --check" cargo fmt --all -- --check
    gate "cargo clippy -D warnings" cargo clippy --quiet --workspace --all-targets -- -D warnings
    gate "cargo clippy -D warnings (app, wasm32)" cargo clippy --quiet -p stackwright-app --target wasm32-unknown-unknown -- -D warnings
    gate "cargo doc (broken links denied)" env RUSTDOCFLAGS="-D warnings" cargo doc --quiet --workspace --no-deps --document-private-items
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

run native cargo_counts cargo test --workspace
run release-build build_counts trunk build --release --offline
run configs plain_counts tests/daemons/check.sh
run browser node_counts node --test tests/e2e/*.test.mjs
# The stack suites, on booted Debian machines: the drill beside the multi-host suite
# (measured: 399 s instead of 552 s one after the other), then the Ansible deployment on
# both releases (side by side it saved 30 s of 716 s: the instances' start is CPU-bound).
# The lint gates compile meanwhile, at the lowest priority, on the cores the machines
# leave idle (they kept 1.4 to 1.7 of 2 busy).
lint_start=$SECONDS
lint_cpu=$(cpu_ticks)
echo "=== lint (beside the stack suites, at the lowest priority)"
(
    lint
    status=$?
    echo "lint finished after $((SECONDS - lint_start))s"
    exit "$status"
) > "$logs/lint.log" 2>&1 &
lint_pid=$!
run_side_by_side "drill:tests/stack/drill.sh" "multi-host:tests/stack/multi-host.sh"
run ansible plain_counts tests/stack/ansible.sh
wait "$lint_pid"
lint_status=$?
echo "=== lint: its log"
cat "$logs/lint.log"
# Its own time, not the stack suites' (the cores busy are those of the time beside them).
lint_seconds=$(sed -nE 's/^lint finished after ([0-9]+)s$/\1/p' "$logs/lint.log")
count lint plain_counts "$lint_status" "$((SECONDS - ${lint_seconds:-$((SECONDS - lint_start))}))" "$lint_cpu"

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "all suites: $((SECONDS / 60)) min $((SECONDS % 60)) s"
if [ "$total_failed" -ne 0 ]; then
    # What failed, by name, where a short tail of this output still shows it: the
    # cargo tests, the node tests, and the checks of the daemon and stack suites.
    echo "=== what failed (details in $logs/)"
    for log in "$logs"/*.log; do
        grep -h -E '^test .* FAILED$|^not ok |^ *not ok |^FAIL(  |: )|\] FAIL: |^error(\[|:)' "$log" |
            sed "s|^ *|$(basename "$log" .log): |" | head -n 20
    done
fi
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
