# Counted, timestamped checks for the stack suites; sourced by drill.sh, multi-host.sh and
# ansible.sh. Each suite's last line is "N passed, N failed", which scripts/test.sh sums.
#
#   passed=0; failed=0; start_time=$EPOCHREALTIME      # set by the suite first
#   . tests/stack/report.sh
#   check "nginx answers" curl -sf http://127.0.0.1:8000/
#   expect "no request failed" "$((failures > 0))" "$failures of $requests failed"
#   require_root "tests/stack/drill.sh" "it starts daemons as their users"

# log TEXT: one line with the clock time and the seconds since the suite started.
log() {
    local now elapsed
    printf -v now '%(%H:%M:%S)T' -1
    elapsed=$(awk -v a="$start_time" -v b="$EPOCHREALTIME" 'BEGIN { printf "%7.1f", b - a }')
    printf '[%s +%ss] %s\n' "$now" "$elapsed" "$*"
}

pass() { passed=$((passed + 1)); log "PASS: $1"; }
fail() { failed=$((failed + 1)); log "FAIL: $1${2:+ -- $2}"; }

# expect NAME CONDITION-RESULT DETAIL: counts a check whose condition was already evaluated.
expect() {
    if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi
    return "$2"
}

# check NAME COMMAND...: one counted check. The command runs in this shell (so it may
# start processes and set variables); the last 40 lines of its output are logged below
# the check, indented.
check() {
    local name=$1 out status
    shift
    out=$(mktemp /tmp/stackwright-check.XXXXXX)
    "$@" > "$out" 2>&1
    status=$?
    sed 's/^/    | /' "$out" | tail -n 40
    rm -f "$out"
    if [ "$status" -eq 0 ]; then pass "$name"; else fail "$name" "exit status $status"; fi
    return "$status"
}

seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# require_root SUITE WHY: a suite that cannot run says why and counts one failure.
require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "$1 needs root: $2" >&2
        summary_printed=1
        echo "0 passed, 1 failed"
        exit 1
    fi
}
