#!/usr/bin/env bash
# The exercise's steps 9-14 on a real server, by the bundle's README, then a reboot.
#
#   tests/stack/drill.sh [DESIGN.json ...]     (as root; default: the default design, on
#                                              Debian 13, and tests/stack/alt-design.json,
#                                              on Debian 12: each design names its release)
#
# For each design it builds the bundle with the CLI and boots a fresh machine of the
# design's Debian release (tests/stack/machines.sh: debootstrap's minbase with systemd as
# PID 1, Debian's stock /etc/hosts with `::1 localhost`, apt's only source a local archive
# of Debian's packages). The zip is copied into the machine's /root and every line of the
# README's code blocks runs there as written, in order, as root (tests/stack/readme_lines.sh):
# apt really installs and Debian really starts its services, the README's `systemctl` lines
# really run. The one substitution is logged with its line: bin/setup gets a folder of
# wheels (the machines have no route to the Python package index).
#
# Around the README's lines it checks, from the machine's own network, the chain nginx ->
# Varnish -> HAProxy -> Zope -> MariaDB over HTTP and HTTPS, writes through one instance and
# reads through another, sends requests while the README's failover drill stops the
# instances one by one (the site must keep answering until the last is down, then show the
# panic page), checks that the README's start line brings the site back and that packing
# keeps it up. Then it powers the machine off and boots it again: the site must answer
# with no command typed (the bundle's systemd unit), and it says how long that took. Last,
# the README's stop line: nothing of the bundle is left running.
#
# Every request, stop and check is logged with a timestamp. The last line is
# "N passed, N failed"; the exit status is non-zero if anything failed.
# Only the machines' own loopback is contacted (pip alone goes to the package index, once
# per requirements.txt, to fill the wheelhouse in STACKWRIGHT_CACHE).
# Logs of the last run of each design: target/drill-logs/<bundle name>-<release>/.
set -uo pipefail
exec </dev/null
# The drill's own output, kept on fds 8 and 9 so that cleanup after an interruption is
# logged even when it happens while a check has stdout redirected.
exec 8>&1 9>&2

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/stack"
PY=/usr/bin/python3            # Debian's python: `python3` on PATH may be a pyenv shim
CLI="$root/target/debug/stackwright"
LOG_KEEP="$root/target/drill-logs"
PLONE_MARKER='<meta name="generator" content="Plone'
MACHINE=server                 # the one machine, as readme_lines.sh names it
MACHINE_ADDR=10.77.0.11
WHEELS=/var/local/stackwright-wheels   # the wheelhouse, on the machine

passed=0
failed=0
start_time=$EPOCHREALTIME

# Current design's state, for cleanup.
work=""              # this design's folder here: the workstation and the outputs
bundle=""            # the installed bundle, as seen from here (on the machine's disk)
readme=""            # the README the drill follows
design_failed_before=0
summary_printed=""
declare -A host_addr=([$MACHINE]=$MACHINE_ADDR)

# shellcheck source=tests/stack/netns.sh
. "$here/netns.sh"
# shellcheck source=tests/stack/machines.sh
. "$here/machines.sh"
. "$here/report.sh"
# shellcheck source=tests/stack/acceptance.sh
. "$here/acceptance.sh"
CLIENT_ADDR=10.77.0.50         # the acceptance checks' client on the bridge

# --- the README's lines (tests/stack/readme_lines.sh) ------------------------------------

readme_of() { printf '%s' "$readme"; }
# shellcheck source=tests/stack/readme_lines.sh
. "$here/readme_lines.sh"

# on_server COMMAND...: a command on the machine, as root.
on_server() { machine "$MACHINE" "$@"; }
# in_bundle COMMAND-LINE: a shell command line on the machine, in the install folder.
in_bundle() { machine "$MACHINE" bash -c "cd \"\$1\" && eval \"\$2\"" in_bundle "$INSTALL_DIR" "$*"; }
# from_its_network COMMAND...: a command of this machine's in the server's network
# namespace: its loopback, as the server's own curl would reach it.
from_its_network() { netns_exec "$MACHINE" "$@"; }

# --- HTTP (the machine's loopback only) --------------------------------------------------

# request LABEL URL [CURL-ARGS...]: one logged request; sets code, body (a file), headers (a file).
# A URL on the public host goes to the machine's loopback (curl's --resolve), as a visitor's
# browser reaches the name; https accepts the self-signed certificate.
request() {
    local label=$1 url=$2 port
    shift 2
    case "$url" in
        http://127.0.0.1:*|https://127.0.0.1:*) ;;
        "http://$PUBLIC_HOST:"*|"https://$PUBLIC_HOST:"*|"https://$PUBLIC_HOST/"*)
            port=${url#*://"$PUBLIC_HOST"}
            port=${port#:}
            port=${port%%/*}
            [ -n "$port" ] || port=443
            set -- --resolve "$PUBLIC_HOST:$port:127.0.0.1" --insecure "$@" ;;
        *) log "refusing to contact $url: only 127.0.0.1 is allowed"; code=000; return 1 ;;
    esac
    body="$work/response.body"
    headers="$work/response.headers"
    : > "$body"
    : > "$headers"
    local t0=$EPOCHREALTIME
    code=$(from_its_network curl -s --max-time 30 -o "$body" -D "$headers" -w '%{http_code}' "$@" "$url")
    log "$label ${url} -> ${code} ($(stat -c %s "$body") bytes, $(seconds_since "$t0")s)"
}

answers_200() { request "$@"; [ "$code" = 200 ]; }
has_marker() { grep -qF "$PLONE_MARKER" "$body"; }
header() { tr -d '\r' < "$headers" | awk -v h="$(echo "$1" | tr 'A-Z' 'a-z'):" 'tolower($1) == h { $1 = ""; sub(/^ /, ""); print; exit }'; }

# The HAProxy statistics as CSV, with the design's credentials when it has any.
stats_csv() {
    local auth=()
    [ -n "$STATS_USER" ] && auth=(-u "$STATS_USER:$STATS_PASSWORD")
    local url="http://127.0.0.1:$STATS_PORT/;csv" out
    out=$(from_its_network curl -s --max-time 5 "${auth[@]}" -w '\n%{http_code}' "$url")
    log "GET (stats) $url -> ${out##*$'\n'}" >&2
    printf '%s\n' "${out%$'\n'*}"
}

# stats_field PROXY SERVER FIELD: one value of the statistics CSV.
stats_field() {
    stats_csv | awk -F, -v px="$1" -v sv="$2" -v field="$3" '
        NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == px && $2 == sv { print $col[field]; exit }'
}

nginx_requests() {
    request "GET (nginx status)" "http://127.0.0.1:$HTTP_PORT$STATUS_PATH" >&2
    awk 'NR == 3 { print $3 }' "$body"
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls once a second; logs how long it took.
wait_until() {
    local limit=$1 what=$2
    shift 2
    local t0=$EPOCHREALTIME deadline=$((SECONDS + limit))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if "$@"; then
            log "waited $(seconds_since "$t0")s for $what"
            return 0
        fi
        sleep 1
    done
    log "gave up after ${limit}s waiting for $what"
    return 1
}

# listeners PORT: the server's TCP listeners on PORT, as `ss` shows them there.
listeners() { from_its_network ss -Hltn ${1:+"sport = :$1"} | awk '{ print $4 }'; }
port_free() { [ -z "$(listeners "$1")" ]; }
port_listening() { [ -n "$(listeners "$1")" ]; }

# --- the bundle's own instructions -------------------------------------------------------

# doc_block FILE HEADING-REGEX: the first ```sh block in the first `## ` section whose
# heading matches, with a leading `sudo ` removed (older READMEs had it; the drill runs as root).
doc_block() {
    awk -v re="$2" '
        /^## / { in_section = ($0 ~ re); next }
        in_section && /^```sh/ { in_block = 1; next }
        in_block && /^```/ { exit }
        in_block { print }' "$1" | sed -E 's/^sudo //'
}

# readme_in_order README: the sections the drill uses exist and come in the order it runs them.
readme_in_order() {
    local section line previous=0
    for section in 'Prerequisites' 'Where this folder lives' 'The database' 'The certificate' 'Prepare the folder' \
        'Create the Plone site' 'Start everything' 'Test the full stack' 'failover' \
        'Pack the database' 'Back up' 'Restore' 'Upgrade' 'Stop everything'; do
        line=$(grep -n -m1 -E "^## .*$section" "$1" | cut -d: -f1)
        if [ -z "$line" ]; then echo "no section '$section'"; return 1; fi
        if [ "$line" -le "$previous" ]; then echo "section '$section' comes too early"; return 1; fi
        echo "line $line: $(sed -n "${line}p" "$1")"
        previous=$line
    done
}

# only_loopback_urls LINE: every URL in the line is on localhost or 127.0.0.1, or on the
# public host with the line's --resolve sending it to 127.0.0.1.
only_loopback_urls() {
    local host
    for host in $(grep -oE '://[^/:]+' <<< "$1" | sed 's|^://||'); do
        case "$host" in
            localhost|127.0.0.1) ;;
            "$PUBLIC_HOST") grep -qE -- "--resolve $PUBLIC_HOST:[0-9]+:127\.0\.0\.1( |$)" <<< "$1" || return 1 ;;
            *) return 1 ;;
        esac
    done
}

supervisorctl_cmd() { in_bundle timeout 60 supervisorctl -c etc/supervisord.conf "$@"; }

all_running() {
    local out
    out=$(supervisorctl_cmd status 2>&1) || true
    [ -n "$out" ] && printf '%s\n' "$out" | awk '$2 != "RUNNING" { bad = 1 } END { exit bad }'
}

# supervisord logs "exited: NAME (...; not expected)" when a program dies on its own.
no_unexpected_exit() { ! grep -F 'not expected' "$bundle/var/log/supervisord.log"; }

program_state() { supervisorctl_cmd status "$1" 2>/dev/null | awk '{ print $2 }'; }

# instance_pids: "ID PID" of each running instance, a line each.
instance_pids() {
    local id
    for id in "${instance_ids[@]}"; do
        supervisorctl_cmd status "$id" 2>/dev/null | awk '$2 == "RUNNING" { sub(/,$/, "", $4); print $1, $4 }'
    done
}

# processes_of_bundle: the server's processes running in or from the install folder.
processes_of_bundle() { machine_processes_in "$MACHINE" "$INSTALL_DIR"; }

unit_inactive() { ! on_server systemctl is-active -q "$1"; }

# only_design_listeners: every TCP listener of the server beyond loopback is on a port of
# the design (or sshd's 22); lists them.
only_design_listeners() {
    local address port bad=0 allowed=" 22 $BUNDLE_PORTS $DB_PORT "
    while read -r address; do
        port=${address##*:}
        case "${address%:*}" in 127.*|"[::1]"|"[::ffff:127."*) continue ;; esac
        echo "$address"
        [[ $allowed == *" $port "* ]] || { echo "  ^ not a port of the design"; bad=1; }
    done < <(listeners '')
    return "$bad"
}

# database_listens_on_loopback_only: MariaDB listens on 127.0.0.1:DB_PORT and nowhere else.
database_listens_on_loopback_only() {
    local found
    found=$(listeners "$DB_PORT" | tr '\n' ' ')
    echo "port $DB_PORT: $found"
    [ "$found" = "127.0.0.1:$DB_PORT " ]
}
nothing_of_bundle_runs() {
    local left
    left=$(processes_of_bundle)
    [ -z "$left" ] || { echo "$left"; return 1; }
}

# --- logs --------------------------------------------------------------------------------

dump_logs() {
    [ -n "$bundle" ] && [ -n "$MACHINES_DIR" ] || return 0
    log "logs of every daemon of $BUNDLE_NAME on $RELEASE:"
    local f
    for f in "$bundle"/var/log/*.log "$bundle"/var/nginx/error.log "$(machine_root "$MACHINE")"/var/log/mysql/error.log; do
        [ -f "$f" ] || continue
        echo "----- $f (last 150 lines)"
        tail -n 150 "$f"
    done
    echo "----- the journal of the last boot (last 100 lines)"
    on_server journalctl -b --no-pager -n 100 2>&1
    echo "----- end of logs"
}

keep_logs() {
    [ -n "$bundle" ] && [ -n "$MACHINES_DIR" ] || return 0
    local dest="$LOG_KEEP/$BUNDLE_NAME-$RELEASE"
    rm -rf "$dest"
    mkdir -p "$dest"
    cp -r "$bundle"/var/log "$dest/" 2>/dev/null
    cp "$bundle"/var/nginx/error.log "$dest/nginx-error.log" 2>/dev/null
    cp -r "$README_OUT" "$dest/" 2>/dev/null
    cp "$MACHINES_DIR/$MACHINE"/console-*.log "$dest/" 2>/dev/null
    on_server journalctl --no-pager > "$dest/journal.log" 2>&1
    true
}

# --- cleanup (also on failure) -----------------------------------------------------------

cleanup_design() {
    [ -n "$work" ] || return 0
    machines_down_all
    remove_in_background "$work"
    work=""
    bundle=""
}

on_exit() {
    local status=$?
    exec 1>&8 2>&9
    if [ -n "$work" ]; then
        log "drill interrupted (status $status): cleaning up"
        [ -n "$bundle" ] && dump_logs
        cleanup_design
    fi
    if [ -z "$summary_printed" ]; then
        fail "the drill ran to its end" "interrupted (status $status)"
        echo "$passed passed, $failed failed"
        exit 1
    fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# --- the drill for one design ------------------------------------------------------------

build_cli() {
    if [ -x "$CLI" ] && [ -z "$(find "$root/core/src" "$root/core/templates" "$root/cli/src" "$root/Cargo.lock" -newer "$CLI" -type f -print -quit 2>/dev/null)" ]; then
        return 0
    fi
    log "building the CLI: cargo build -p stackwright"
    (cd "$root" && cargo build -q -p stackwright)
}

db_as_user() { on_server mariadb --no-defaults -h 127.0.0.1 -P "$DB_PORT" -u "$DB_USER" -p"$DB_PASSWORD" "$DB_NAME" "$@"; }

fresh_counter=0
# fresh_request LABEL: a GET through nginx that Varnish cannot answer from its cache.
fresh_request() {
    fresh_counter=$((fresh_counter + 1))
    request "$1" "https://$PUBLIC_HTTPS/?drill=$$-$fresh_counter-$RANDOM"
}

served_by_plone() { [ "$code" = 200 ] && has_marker; }

# loop_start NAME: a bounded request loop through nginx (tests/stack/request_loop.py) in the
# background, logged to NAME-loop.log; loop_stop NAME ends it and sets loop_summary,
# loop_requests and loop_failures from its last line.
loop_start() {
    rm -f "$work/stop-$1-loop"
    from_its_network "$PY" "$here/request_loop.py" "https://$PUBLIC_HTTPS/" "$work/stop-$1-loop" 20000 600 \
        "$PLONE_MARKER" 127.0.0.1 > "$work/$1-loop.log" 2>&1 &
    loop_pid=$!
}
loop_stop() {
    touch "$work/stop-$1-loop"
    wait "$loop_pid"
    sed 's/^/    | loop: /' "$work/$1-loop.log" | tail -n 20
    loop_summary=$(tail -n 1 "$work/$1-loop.log")
    loop_requests=$(sed -nE 's/^requests=([0-9]+) .*/\1/p' <<< "$loop_summary")
    loop_failures=$(sed -nE 's/.* failed=([0-9]+) .*/\1/p' <<< "$loop_summary")
}

server_down() {   # INSTANCE: HAProxy no longer sends it requests
    local status
    status=$(stats_field instances "$1" status)
    log "HAProxy status of $1: ${status:-<none>}"
    case "$status" in DOWN|MAINT*|"no check") return 0 ;; esac
    return 1
}

server_up() {
    local status
    status=$(stats_field instances "$1" status)
    [ "$status" = UP ]
}

panic_page() { fresh_request "panic?"; grep -q Panic "$body"; }

site_recovered() { fresh_request "recovered?"; served_by_plone; }

files_owned_by() {   # USER PATH...: every file below the paths belongs to USER
    local user=$1
    shift
    local wrong
    wrong=$(in_bundle "find $* ! -user '$user' -printf '%u %p\\n' | head -n 20")
    [ -z "$wrong" ] || { echo "not owned by $user:"; echo "$wrong"; return 1; }
}

# readme_has SECTION-REGEX LINE-REGEX: a line of that section of the README matches.
readme_has() {
    readme_lines "$MACHINE" | awk -F'\t' -v s="$1" -v l="$2" '$1 ~ s && $3 ~ l { found = 1 } END { exit !found }'
}

# readme_section_lines SECTION-REGEX: the lines of that section, one a line.
readme_section_lines() { readme_lines "$MACHINE" | awk -F'\t' -v s="$1" '$1 ~ s { print $3 }'; }

run_design() {
    local design=$1 t_design=$EPOCHREALTIME t0
    design_failed_before=$failed
    log "=================== design $design"
    local env_lines
    env_lines=$($PY "$here/design_env.py" "$design") || { fail "read the design $design"; return 1; }
    eval "$env_lines"
    read -r -a instance_ids <<< "$INSTANCE_IDS"
    read -r -a instance_ports <<< "$INSTANCE_PORTS"
    read -r -a instance_users <<< "$INSTANCE_USERS"
    log "design $BUNDLE_NAME: site $SITE_ID, ${#instance_ids[@]} instances (${INSTANCE_PORTS}), http $HTTP_PORT, https $HTTPS_PORT, database $DB_PORT"

    expect "only loopback addresses in the design" "$([ -z "$NON_LOOPBACK" ]; echo $?)" "not loopback: $NON_LOOPBACK" || return 1
    check "stackwright validate $design" "$CLI" validate "$design" || return 1

    # This design's folder here: the workstation (the zip, and the README's first look).
    work=$(mktemp -d /var/tmp/stackwright-drill.XXXXXX)
    WORKSTATION=$work/home README_OUT=$work/out
    host_cwd=()
    mkdir -p "$WORKSTATION"
    check "stackwright bundle" "$CLI" bundle "$design" --out "$WORKSTATION/$BUNDLE_NAME.zip" || return 1
    # The README is read before the zip is unpacked where it says: a first look at it.
    check "unzip the bundle for a first look at its README" unzip -q "$WORKSTATION/$BUNDLE_NAME.zip" -d "$work/first-look" || return 1
    readme="$work/first-look/$BUNDLE_NAME/README.md"
    local wheels
    wheels=$(wheelhouse "$work/first-look/$BUNDLE_NAME/requirements.txt" "$PYTHON_VERSION")
    expect "a wheelhouse for Python $PYTHON_VERSION ($wheels)" "$([ -n "$wheels" ]; echo $?)" "pip download failed" || return 1

    # A fresh server of the design's release, booted.
    t0=$EPOCHREALTIME
    check "a fresh $RELEASE machine boots to multi-user" machine_up "$MACHINE" "$RELEASE" "$MACHINE_ADDR" || return 1
    log "$RELEASE: booted in ${machine_boot_seconds[$MACHINE]}s (machine ready $(seconds_since "$t0")s after the copy of its disk began)"
    boot_seconds[$RELEASE]=${machine_boot_seconds[$MACHINE]}
    bundle="$(machine_root "$MACHINE")$INSTALL_DIR"
    check "its /etc/hosts is Debian's: localhost is 127.0.0.1 and ::1" \
        on_server bash -c 'getent ahosts localhost | awk "{ print \$1 }" | sort -u | tr "\n" " " | tee /dev/stderr | grep -q "::1" && getent ahosts localhost | grep -q "^127.0.0.1"'
    check "systemd runs it ($(on_server systemctl is-system-running 2>&1))" on_server test -d /run/systemd/system
    # What the user copies in: the zip into /root; the wheels beside (logged: no index here).
    cp "$WORKSTATION/$BUNDLE_NAME.zip" "$(machine_root "$MACHINE")/root/"
    mkdir -p "$(machine_root "$MACHINE")$WHEELS"
    cp "$wheels"/*.whl "$(machine_root "$MACHINE")$WHEELS/"
    log "copied $BUNDLE_NAME.zip to the machine's /root, and the wheelhouse to $WHEELS"

    # README step 1: the prerequisites, installed by apt from the machine's package source;
    # Debian starts its own services, the README stops and disables them.
    t0=$EPOCHREALTIME
    run_sections "$MACHINE" '^Prerequisites' '^Prerequisites' || return 1
    log "README step 1 took $(seconds_since "$t0")s"
    local svc
    for svc in nginx varnish haproxy memcached supervisor; do
        check "Debian started its $svc when apt installed it; the README stopped and disabled it" on_server bash -c \
            "journalctl -b -u $svc -o cat --no-pager | grep -q '^Started ' && ! systemctl is-active -q $svc && [ \"\$(systemctl is-enabled $svc)\" = disabled ]"
    done
    check "Debian's MariaDB runs (started by its package)" on_server systemctl is-active mariadb

    # README step 2: where the folder lives: the zip unpacked as the README says, then cd.
    run_sections "$MACHINE" '^Where this folder lives' '^Where this folder lives' || return 1
    expect "the README's commands leave the bundle in the design's install folder, and cd into it" \
        "$([ -f "$bundle/README.md" ] && [ "${host_cwd[$MACHINE]:-}" = "$INSTALL_DIR" ]; echo $?)" \
        "ended in: ${host_cwd[$MACHINE]:-nowhere}" || return 1
    log "bundle unpacked in $INSTALL_DIR (here: $bundle)"
    readme="$bundle/README.md"
    check "the README's steps come in the order the drill follows them" readme_in_order "$readme"

    # README step 3: the database and its user, on Debian's MariaDB server.
    expect "the README runs sql/create-database.sql" \
        "$(readme_has '^The database' 'mariadb .*< *sql/create-database.sql'; echo $?)" "no such command"
    t0=$EPOCHREALTIME
    run_sections "$MACHINE" '^The database' '^The database' || return 1
    log "the README's database step again (it says it is safe to)"
    run_sections "$MACHINE" '^The database' '^The database'
    check "database user $DB_USER logs in over TCP 127.0.0.1:$DB_PORT" db_as_user -e 'select current_user()' || return 1
    check "MariaDB listens on 127.0.0.1:$DB_PORT only" database_listens_on_loopback_only
    check "Debian's 50-server.cnf is as the package shipped it (dpkg --verify)" on_server bash -c \
        "! dpkg --verify mariadb-server 2>&1 | grep -F 50-server.cnf"
    log "database ready in $(seconds_since "$t0")s"

    # README step 4: the certificate, the same commands as CERTIFICATES.md's.
    local cert_cmds readme_cert
    cert_cmds=$(doc_block "$bundle/CERTIFICATES.md" 'self-signed')
    readme_cert=$(readme_section_lines '^The certificate')
    expect "the README and CERTIFICATES.md give the same certificate commands" \
        "$([ -n "$cert_cmds" ] && [ "$(sed 's/ *#.*//' <<< "$cert_cmds")" = "$(sed 's/ *#.*//' <<< "$readme_cert")" ]; echo $?)" \
        "README: $readme_cert"
    run_sections "$MACHINE" '^The certificate' '^The certificate' || return 1
    check "certificate and key exist; the key is root's alone (mode 600)" in_bundle \
        "openssl x509 -noout -subject -enddate -in etc/server.crt && [ \"\$(stat -c '%U %a' etc/server.key)\" = 'root 600' ]"

    # README step 5: bin/setup (venv from wheels, the MariaDB compat module, owners).
    t0=$EPOCHREALTIME
    run_sections "$MACHINE" '^Prepare the folder' '^Prepare the folder' || return 1
    log "bin/setup took $(seconds_since "$t0")s"
    check "the venv (Python $PYTHON_VERSION) has Zope, RelStorage, PyMySQL and the MariaDB compat module" in_bundle \
        "venv/bin/python -c 'import sys, Zope2, relstorage, pymysql, stackwright_mariadb_compat; print(sys.version); assert sys.version.startswith(\"$PYTHON_VERSION.\")'"
    log "bin/setup again (it says it is safe to)"
    run_sections "$MACHINE" '^Prepare the folder' '^Prepare the folder'

    # README step 6: the Plone site (exercise step 11), before any instance starts.
    t0=$EPOCHREALTIME
    run_sections "$MACHINE" '^Create the Plone site' '^Create the Plone site' || return 1
    log "bin/create-site took $(seconds_since "$t0")s"
    log "bin/create-site again (it says it changes nothing)"
    run_sections "$MACHINE" '^Create the Plone site' '^Create the Plone site'
    check "state folders of the instances belong to ${instance_users[0]}" files_owned_by "${instance_users[0]}" var/cache var/blobstorage "${instance_ids[@]/#/var/}"

    # README step 7: the systemd unit starts supervisord and every program (steps 9-10 of
    # the exercise); the README's own lines wait until they run and the instances answer.
    t0=$EPOCHREALTIME
    run_sections "$MACHINE" '^Start everything' '^Start everything' || return 1
    check "every supervisor program is RUNNING" all_running || { supervisorctl_cmd status; return 1; }
    local i
    for i in "${!instance_ids[@]}"; do
        check "${instance_ids[$i]} answers on 127.0.0.1:${instance_ports[$i]}" \
            wait_until 180 "${instance_ids[$i]} to answer" answers_200 "GET (${instance_ids[$i]})" "http://127.0.0.1:${instance_ports[$i]}/" || return 1
    done
    check "the supervisor control panel answers with the design's credentials" \
        answers_200 "GET (supervisor)" "http://127.0.0.1:$SUPERVISOR_PORT/" -u "$SUPERVISOR_USER:$SUPERVISOR_PASSWORD"
    log "the stack started in $(seconds_since "$t0")s"
    check "no program exited unexpectedly while starting" no_unexpected_exit

    # README step 8: the full stack (exercise step 12), over HTTP and HTTPS.
    local nginx_before stot_before
    for i in "${!instance_ids[@]}"; do
        check "HAProxy sees ${instance_ids[$i]} UP" wait_until 60 "HAProxy to mark ${instance_ids[$i]} UP" server_up "${instance_ids[$i]}"
    done
    nginx_before=$(nginx_requests)
    stot_before=$(stats_field instances BACKEND stot)
    log "before: nginx requests=$nginx_before, HAProxy backend sessions=$stot_before"
    check "the site answers through nginx (https)" wait_until 60 "Plone through nginx" site_recovered
    request "GET (http)" "http://$PUBLIC_HOST:$HTTP_PORT/some/page?x=1"
    expect "http: 301 to https://$PUBLIC_HTTPS/some/page?x=1 (Location: $(header Location))" \
        "$([ "$code" = 301 ] && [ "$(header Location)" = "https://$PUBLIC_HTTPS/some/page?x=1" ]; echo $?)" "status $code"
    request "GET (https)" "https://$PUBLIC_HTTPS/"
    expect "https: 200 with Plone's generator tag" "$(served_by_plone; echo $?)" "status $code"
    expect "https: links use the public address https://$PUBLIC_HTTPS/" \
        "$(grep -qF "https://$PUBLIC_HTTPS/" "$body"; echo $?)" "no such link"
    expect "https: Varnish saw it (X-Varnish: $(header X-Varnish), X-Cache: $(header X-Cache))" \
        "$([ -n "$(header X-Varnish)" ] && [ -n "$(header X-Cache)" ]; echo $?)" "no Varnish header"
    request "GET (https, again)" "https://$PUBLIC_HTTPS/"
    log "second GET: X-Cache $(header X-Cache), X-Varnish $(header X-Varnish)"
    local section block_host line n_curl=0
    while IFS=$'\t' read -r section block_host line; do
        [[ $section =~ ^Test\ the\ full\ stack ]] || continue
        n_curl=$((n_curl + 1))
        if ! only_loopback_urls "$line"; then
            fail "the README's test: $line" "contacts an address that is not loopback: not run"
            continue
        fi
        # http answers 301 to https, https 200, the status page its counters.
        local want='^HTTP/[0-9.]+ 200'
        case "$line" in
            *"$STATUS_PATH"*) want='^Active connections' ;;
            *http://*) want='^HTTP/[0-9.]+ 301' ;;
        esac
        run_line "$block_host" "$section" "$line" < /dev/null &&
            expect "the README's test answers as it says (${want#^}): $line" \
                "$(grep -qE "$want" "$last_out"; echo $?)" "not in its output"
    done < <(readme_lines "$MACHINE")
    expect "the README gives the test commands ($n_curl)" "$([ "$n_curl" -ge 3 ]; echo $?)" "none found"
    fresh_request "GET (fresh URL)"
    local nginx_after stot_after
    nginx_after=$(nginx_requests)
    stot_after=$(stats_field instances BACKEND stot)
    log "after: nginx requests=$nginx_after, HAProxy backend sessions=$stot_after"
    expect "nginx status page $STATUS_PATH counts the requests ($nginx_before -> $nginx_after)" \
        "$([ -n "$nginx_before" ] && [ -n "$nginx_after" ] && [ "$nginx_after" -ge $((nginx_before + 4)) ]; echo $?)" "not rising"
    expect "HAProxy's backend counted the requests ($stot_before -> $stot_after)" \
        "$([ -n "$stot_before" ] && [ -n "$stot_after" ] && [ "$stot_after" -gt "$stot_before" ]; echo $?)" "not rising"
    check "nginx started without a warning about its configuration (nothing deprecated on $RELEASE)" \
        in_bundle "! grep -E '\[warn\].*(deprecated|obsolete)' var/nginx/error.log"
    # HAProxy's statistics for Prometheus, behind the statistics' login when there is one.
    local stats_login=()
    [ -n "$STATS_USER" ] && stats_login=(-u "$STATS_USER:$STATS_PASSWORD")
    check "HAProxy serves its statistics for Prometheus at /metrics (every instance's state)" bash -c \
        '[ "$(grep -c "^haproxy_server_status{proxy=\"instances\",server=\"[^\"]*\",state=\"UP\"} 1" <<< "$1")" -eq "$2" ]' _ \
        "$(from_its_network curl -s --max-time 5 "${stats_login[@]}" "http://127.0.0.1:$STATS_PORT/metrics")" "${#instance_ids[@]}"
    if [ -n "$STATS_USER" ]; then
        check "/metrics asks for the statistics' login (401 without it)" bash -c '[ "$1" = 401 ]' _ \
            "$(from_its_network curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$STATS_PORT/metrics")"
    fi
    local mc_sets
    mc_sets=$(from_its_network bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "stats\r\nquit\r\n" >&3 && tr -d "\r" <&3' mc "$MEMCACHED_PORT" | awk '$2 == "cmd_set" { print $3 }')
    expect "memcached holds RelStorage's cache (cmd_set=$mc_sets)" "$([ "${mc_sets:-0}" -gt 0 ]; echo $?)" "no sets"
    expect "the ZODB is stored in MariaDB ($(db_as_user -N -e 'select count(*) from object_state' 2>&1) objects)" \
        "$([ "$(db_as_user -N -e 'select count(*) from object_state' 2>/dev/null)" -gt 0 ] 2>/dev/null; echo $?)" "no objects"

    # Log rotation as Debian's daily logrotate.timer would do it: nginx's logs move aside
    # and nginx reopens them (USR1 through supervisor), so the next request is in the new file.
    check "logrotate --force with the bundle's /etc/logrotate.d file" \
        on_server logrotate --force "/etc/logrotate.d/stackwright-$BUNDLE_NAME"
    local rotated="rotated-$$-$RANDOM"
    request "GET (after logrotate)" "https://$PUBLIC_HTTPS/?$rotated"
    check "after logrotate, the next request is in the new access.log, none in access.log.1" \
        wait_until 10 "the request in the new access.log" in_bundle \
        "test -s var/nginx/access.log.1 && grep -q '$rotated' var/nginx/access.log && ! grep -q '$rotated' var/nginx/access.log.1"

    # Write through one instance, read through another: one shared database.
    local doc="drill-$$-$RANDOM" title="Written through ${instance_ids[0]}" auth="$ZOPE_ADMIN_USER:$ZOPE_ADMIN_PASSWORD"
    local last=$((${#instance_ids[@]} - 1))
    request "POST (REST, ${instance_ids[0]})" "http://127.0.0.1:${instance_ports[0]}/$SITE_ID" -u "$auth" -X POST \
        -H 'Accept: application/json' -H 'Content-Type: application/json' \
        -d "{\"@type\": \"Document\", \"id\": \"$doc\", \"title\": \"$title\"}"
    expect "plone.restapi creates a Document through ${instance_ids[0]} (201)" "$([ "$code" = 201 ]; echo $?)" "status $code: $(head -c 300 "$body")"
    request "GET (REST, ${instance_ids[$last]})" "http://127.0.0.1:${instance_ports[$last]}/$SITE_ID/$doc" -u "$auth" -H 'Accept: application/json'
    expect "${instance_ids[$last]} reads the Document written through ${instance_ids[0]}" \
        "$([ "$code" = 200 ] && $PY -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["title"] != sys.argv[2])' "$body" "$title"; echo $?)" "status $code"
    request "PATCH (REST, ${instance_ids[$last]})" "http://127.0.0.1:${instance_ports[$last]}/$SITE_ID/$doc" -u "$auth" -X PATCH \
        -H 'Accept: application/json' -H 'Content-Type: application/json' -d '{"title": "Edited through the other instance"}'
    expect "PATCH through ${instance_ids[$last]} (204)" "$([ "$code" = 204 ]; echo $?)" "status $code"
    request "GET (REST, through nginx)" "https://$PUBLIC_HTTPS/$doc" -u "$auth" -H 'Accept: application/json'
    expect "the whole chain serves the edited Document at its public URL" \
        "$([ "$code" = 200 ] && $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(d["title"] != "Edited through the other instance" or d["@id"] != sys.argv[2])' "$body" "https://$PUBLIC_HTTPS/$doc"; echo $?)" \
        "status $code: $(head -c 300 "$body")"

    # The production acceptance checks, from a client on the test network, when nginx
    # listens beyond loopback (a design that binds it to 127.0.0.1 is not for a visitor).
    case "$NGINX_ADDRESS" in
        0.0.0.0|::)
            check "a client on the test network ($CLIENT_ADDR)" acceptance_client client "$CLIENT_ADDR" "$MACHINE_ADDR"
            acceptance_site client
            acceptance_upload client 50
            acceptance_load client stats_csv
            local closed="$VARNISH_PORT $PURGE_PORT $HAPROXY_PORT $STATS_PORT $SUPERVISOR_PORT $MEMCACHED_PORT $DB_PORT $INSTANCE_PORTS"
            acceptance_ports client "$MACHINE_ADDR" "$HTTP_PORT $HTTPS_PORT 22" "$closed"
            acceptance_secrets on_server "$INSTALL_DIR" "$ZOPE_ADMIN_PASSWORD" "$DB_PASSWORD" "$SUPERVISOR_PASSWORD" "$STATS_PASSWORD"
            acceptance_users on_server "nginx:=$NGINX_USER varnishd=$VARNISH_USER haproxy=$HAPROXY_USER memcached=$MEMCACHED_USER Zope2.Startup.serve=${instance_users[0]}"
            ;;
        *) log "nginx listens on $NGINX_ADDRESS only: no client on the network can reach it, no acceptance checks" ;;
    esac

    # README step 9: the failover drill (exercise step 13), its lines in order, with
    # requests through nginx while HAProxy notices each stop.
    local n_stops=0 fo_requests=0 fo_failed=0 id remaining t_stop started=""
    while IFS=$'\t' read -r section block_host line; do
        [[ $section =~ failover ]] || continue
        case "$line" in
            *" stop "*)
                n_stops=$((n_stops + 1))
                id=${line##* }
                remaining=$((${#instance_ids[@]} - n_stops))
                t_stop=$EPOCHREALTIME
                run_line "$block_host" "$section" "$line" < /dev/null
                log "$id is $(program_state "$id")"
                if [ "$remaining" -gt 0 ]; then
                    # Requests keep going while HAProxy notices; each must still reach Plone.
                    local deadline=$((SECONDS + 60)) marked=1
                    while [ "$SECONDS" -lt "$deadline" ]; do
                        fresh_request "GET (failover, $id stopped)"
                        fo_requests=$((fo_requests + 1))
                        served_by_plone || { fo_failed=$((fo_failed + 1)); log "failover request failed: status $code"; }
                        if server_down "$id"; then marked=0; break; fi
                        sleep 0.3
                    done
                    expect "HAProxy marks $id down ($(seconds_since "$t_stop")s after the stop)" "$marked" "still up after 60s"
                    local before_failed=$fo_failed n
                    for n in 1 2 3 4 5; do
                        fresh_request "GET (failover, $remaining left)"
                        fo_requests=$((fo_requests + 1))
                        served_by_plone || { fo_failed=$((fo_failed + 1)); log "failover request failed: status $code"; }
                    done
                    expect "the site still answers with $remaining instance(s) left" "$([ "$fo_failed" -eq 0 ]; echo $?)" \
                        "$fo_failed of $fo_requests failover requests failed so far ($((fo_failed - before_failed)) in this round)"
                else
                    check "HAProxy marks the last instance $id down" wait_until 60 "HAProxy to mark $id down" server_down "$id"
                    check "nginx serves the panic page when no instance is left" wait_until 60 "the panic page" panic_page
                    log "panic page: status $code, $(grep -o 'Panic[^<]*' "$body" | head -1)"
                    log "failover: $fo_requests requests while stopping instances, $fo_failed failed"
                    echo "failover ($BUNDLE_NAME): $fo_requests requests, $fo_failed failed"
                fi ;;
            *" start "*)
                t0=$EPOCHREALTIME
                started=1
                run_line "$block_host" "$section" "$line" < /dev/null
                check "the site recovers through nginx" wait_until 180 "the site to recover" site_recovered
                log "the site recovered $(seconds_since "$t0")s after: $line" ;;
            *) run_line "$block_host" "$section" "$line" < /dev/null ;;
        esac
    done < <(readme_lines "$MACHINE")
    expect "the README's failover drill stops every instance ($n_stops stop commands) and starts one again" \
        "$([ "$n_stops" -eq "${#instance_ids[@]}" ] && [ -n "$started" ]; echo $?)" "expected ${#instance_ids[@]} stops and a start"

    # README step 10: pack the database, after a Document was created and deleted: the
    # pack removes its records. The README installs the weekly timer and starts the pack's
    # unit once (it returns when the pack is done).
    local gone="pack-$$-$RANDOM" objects_before objects_after up_port
    up_port=$(for i in "${!instance_ids[@]}"; do
        from_its_network curl -s -o /dev/null "http://127.0.0.1:${instance_ports[$i]}/" && { echo "${instance_ports[$i]}"; break; }
    done)
    request "POST (REST, a Document to delete)" "http://127.0.0.1:${up_port}/$SITE_ID" -u "$auth" -X POST \
        -H 'Accept: application/json' -H 'Content-Type: application/json' \
        -d "{\"@type\": \"Document\", \"id\": \"$gone\", \"title\": \"Packed away\"}"
    request "DELETE (REST)" "http://127.0.0.1:${up_port}/$SITE_ID/$gone" -u "$auth" -X DELETE -H 'Accept: application/json'
    expect "a Document created and deleted, for the pack to remove (DELETE: 204)" "$([ "$code" = 204 ]; echo $?)" "status $code"
    objects_before=$(db_as_user -N -e 'select count(*) from object_state' 2>/dev/null)
    t0=$EPOCHREALTIME
    run_sections "$MACHINE" '^Pack the database' '^Pack the database'
    log "packing took $(seconds_since "$t0")s"
    objects_after=$(db_as_user -N -e 'select count(*) from object_state' 2>/dev/null)
    expect "the pack removed the deleted records: object_state $objects_before -> $objects_after rows" \
        "$([ -n "$objects_after" ] && [ "$objects_after" -lt "$objects_before" ] 2>/dev/null; echo $?)" "not fewer"
    check "the pack ran as its unit, as ${instance_users[0]}, and succeeded" on_server bash -c \
        "[ \"\$(systemctl show -p User --value stackwright-$BUNDLE_NAME-pack.service)\" = '${instance_users[0]}' ] &&
         [ \"\$(systemctl show -p Result --value stackwright-$BUNDLE_NAME-pack.service)\" = success ]"
    check "the weekly pack timer is enabled and waiting" on_server bash -c \
        "systemctl is-enabled stackwright-$BUNDLE_NAME-pack.timer && systemctl is-active stackwright-$BUNDLE_NAME-pack.timer"
    check "state folders of the instances still belong to ${instance_users[0]} after packing" files_owned_by "${instance_users[0]}" var/cache var/blobstorage "${instance_ids[@]/#/var/}"
    check "the site still answers after packing" wait_until 30 "the site after packing" site_recovered

    # README steps 11 and 12: back up (the daily timer, and one backup now), lose the data,
    # restore. A File (a blob) and the Documents written before the backup come back, the
    # File byte for byte; a Document written after the backup is gone.
    local kept="backup-$$-$RANDOM" lost="after-$$-$RANDOM" blob_sum back backups="/var/backups/stackwright-$BUNDLE_NAME"
    head -c 1048576 /dev/urandom > "$work/blob.bin"
    blob_sum=$(sha256sum "$work/blob.bin" | cut -d' ' -f1)
    "$PY" "$here/file_json.py" "$work/blob.bin" "$kept" "Backed up" > "$work/blob.json"
    request "POST (REST, a File of 1 MiB to back up)" "http://127.0.0.1:${up_port}/$SITE_ID" -u "$auth" -X POST \
        -H 'Accept: application/json' -H 'Content-Type: application/json' --data-binary "@$work/blob.json"
    expect "a File of 1 MiB created before the backup (201)" "$([ "$code" = 201 ]; echo $?)" "status $code: $(head -c 300 "$body")"
    t0=$EPOCHREALTIME
    run_sections "$MACHINE" '^Back up' '^Back up'
    log "backing up took $(seconds_since "$t0")s: $(on_server journalctl -u "stackwright-$BUNDLE_NAME-backup.service" -o cat --no-pager | grep 'bin/backup:' | tail -n 1)"
    check "the backup ran as its unit, as root, and succeeded" on_server bash -c \
        "[ -z \"\$(systemctl show -p User --value stackwright-$BUNDLE_NAME-backup.service)\" ] &&
         [ \"\$(systemctl show -p Result --value stackwright-$BUNDLE_NAME-backup.service)\" = success ]"
    check "the daily backup timer is enabled and waiting" on_server bash -c \
        "systemctl is-enabled stackwright-$BUNDLE_NAME-backup.timer && systemctl is-active stackwright-$BUNDLE_NAME-backup.timer"
    local backed_up=1
    check "$backups is root's alone (0700), latest is a whole backup whose dump matches its checksum" on_server bash -c \
        "[ \"\$(stat -c %a:%U '$backups')\" = 700:root ] && [ -f '$backups/latest/database.sql.gz' ] &&
         cd '$backups/latest' && sha256sum --quiet --check SHA256SUMS && gzip --test database.sql.gz" || backed_up=""
    if [ -n "$SHARED_BLOBS" ]; then
        check "the backup holds the File's blob, byte for byte" on_server bash -c \
            "find '$backups/latest/blobstorage' -type f -name '*.blob' -exec sha256sum {} + | grep -q '^$blob_sum '"
    fi
    request "POST (REST, a Document written after the backup)" "http://127.0.0.1:${up_port}/$SITE_ID" -u "$auth" -X POST \
        -H 'Accept: application/json' -H 'Content-Type: application/json' \
        -d "{\"@type\": \"Document\", \"id\": \"$lost\", \"title\": \"Lost by the restore\"}"
    expect "a Document written after the backup (201)" "$([ "$code" = 201 ]; echo $?)" "status $code"

    # Without a backup, the data is not destroyed: the rest of the drill still runs.
    [ -n "$backed_up" ] || fail "no backup: the restore is not tried"
    if [ -n "$backed_up" ]; then
        # The loss: the database is dropped and made again empty (its user's grants stay, as
        # after a broken disk restored with the README's database step), the blob files deleted.
        check "the data is lost: the database dropped and created empty, the blob files deleted" on_server bash -c \
            "mariadb -e 'DROP DATABASE \`$DB_NAME\`; CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4' &&
             { [ -z '$SHARED_BLOBS' ] || find '$INSTALL_DIR/var/blobstorage' -mindepth 1 -delete; }"
        fresh_request "GET (the site without its data)"
        log "without its data the site answers $code"
        t0=$EPOCHREALTIME
        run_sections "$MACHINE" '^Restore' '^Restore'
        log "the restore took $(seconds_since "$t0")s"
        check "the site answers through nginx after the restore" wait_until 180 "the site after the restore" site_recovered
        request "GET (https, the File's download after the restore)" "https://$PUBLIC_HTTPS/$kept/@@download/file" -u "$auth"
        back=$(sha256sum "$body" | cut -d' ' -f1)
        expect "the File written before the backup is back, byte for byte (sha256)" \
            "$([ "$code" = 200 ] && [ "$back" = "$blob_sum" ]; echo $?)" "status $code, sha256 $back, want $blob_sum"
        request "GET (REST, the Document written before the backup)" "https://$PUBLIC_HTTPS/$doc" -u "$auth" -H 'Accept: application/json'
        expect "the Document written before the backup is back" "$([ "$code" = 200 ]; echo $?)" "status $code"
        request "GET (REST, the Document written after the backup)" "https://$PUBLIC_HTTPS/$lost" -u "$auth" -H 'Accept: application/json'
        expect "the Document written after the backup is gone (404)" "$([ "$code" = 404 ]; echo $?)" "status $code"
        if [ -n "$SHARED_BLOBS" ]; then
            check "the restored blob files belong to ${instance_users[0]}" files_owned_by "${instance_users[0]}" var/blobstorage
        fi
        check "every program is RUNNING after the restore" all_running
    fi
    rm -f "$work/blob.bin" "$work/blob.json"

    # README step 13: an upgrade (the same bundle again: unzip -o, bin/setup, a rolling
    # restart) while a bounded request loop goes through nginx: no request may fail, and
    # every instance runs a new process afterwards.
    local pids_before pids_after loop_pid loop_summary loop_requests loop_failures
    pids_before=$(instance_pids)
    loop_start upgrade
    t0=$EPOCHREALTIME
    run_sections "$MACHINE" '^Upgrade' '^Upgrade'
    log "the upgrade took $(seconds_since "$t0")s"
    loop_stop upgrade
    upgrade_figures[$RELEASE]="$loop_summary"
    expect "a rolling restart under load: ${loop_failures:-?} of ${loop_requests:-?} requests failed" \
        "$([ -n "$loop_requests" ] && [ "$loop_requests" -ge 20 ] && [ "$loop_failures" = 0 ]; echo $?)" "$loop_summary"
    pids_after=$(instance_pids)
    log "instances before: $(echo $pids_before); after: $(echo $pids_after)"
    expect "bin/rolling-restart restarted every instance (a new process each)" \
        "$([ -n "$pids_after" ] && [ -z "$(comm -12 <(printf '%s\n' "$pids_before" | sort) <(printf '%s\n' "$pids_after" | sort))" ] &&
           [ "$(wc -l <<< "$pids_after")" -eq "${#instance_ids[@]}" ]; echo $?)" "before: $(echo $pids_before); after: $(echo $pids_after)"
    check "every program is RUNNING after the upgrade" all_running

    # The watchdog: an instance frozen (SIGSTOP; it accepts connections and answers none)
    # is restarted by httpok, while a request loop goes through nginx. The requests HAProxy
    # gave the frozen instance before its checks saw it down fail; no other may.
    local frozen=${instance_ids[-1]} frozen_pid new_pid t_freeze
    frozen_pid=$(instance_pids | awk -v id="$frozen" '$1 == id { print $2 }')
    loop_start watchdog
    check "the watchdog restarted no instance so far (its logs are there; a starting instance is left to load)" \
        in_bundle "ls var/log/httpok-*.log > /dev/null && ! grep -l restarted var/log/httpok-*.log"
    t_freeze=$EPOCHREALTIME
    check "$frozen (pid $frozen_pid) frozen with SIGSTOP" on_server kill -STOP "$frozen_pid"
    restarted() {
        new_pid=$(instance_pids | awk -v id="$frozen" '$1 == id { print $2 }')
        [ -n "$new_pid" ] && [ "$new_pid" != "$frozen_pid" ] && [ "$(program_state "$frozen")" = RUNNING ]
    }
    check "the watchdog restarts the frozen $frozen (a new process, RUNNING) within 120 s" \
        wait_until 120 "httpok to restart $frozen" restarted
    watchdog_seconds[$RELEASE]=$(seconds_since "$t_freeze")
    log "$frozen: frozen pid $frozen_pid, new pid ${new_pid:-none}, ${watchdog_seconds[$RELEASE]}s after the freeze"
    check "httpok logged that it restarted $frozen" in_bundle "grep -q '^$frozen restarted' var/log/httpok-$frozen.log"
    check "HAProxy sees $frozen UP again" wait_until 120 "HAProxy to mark $frozen UP" server_up "$frozen"
    loop_stop watchdog
    watchdog_figures[$RELEASE]="$loop_summary"
    expect "the site answered while $frozen was frozen: ${loop_failures:-?} of ${loop_requests:-?} requests failed (at most its maxconn of $INSTANCE_MAXCONN, sent to it before HAProxy saw it down)" \
        "$([ -n "$loop_requests" ] && [ "$loop_requests" -ge 10 ] && [ "$loop_failures" -le "$INSTANCE_MAXCONN" ]; echo $?)" "$loop_summary"
    check "every program is RUNNING after the watchdog's restart" all_running

    check "no program exited unexpectedly during the drill" no_unexpected_exit

    # A reboot: power off, boot the same disk; the site must come back with no command typed.
    local unit="stackwright-$BUNDLE_NAME.service"
    check "$unit is enabled (started at boot)" on_server systemctl is-enabled "$unit"
    t0=$EPOCHREALTIME
    check "$RELEASE: systemctl poweroff" machine_poweroff "$MACHINE"
    local t_boot=$EPOCHREALTIME
    check "$RELEASE: the machine boots again" machine_boot "$MACHINE" || return 1
    check "the site answers through nginx after the reboot, with no command typed" \
        wait_until 300 "the site after the reboot" site_recovered || { on_server systemctl status "$unit" --no-pager; return 1; }
    reboot_seconds[$RELEASE]=$(seconds_since "$t_boot")
    log "$RELEASE: reboot to site: ${reboot_seconds[$RELEASE]}s after power-on (${machine_boot_seconds[$MACHINE]}s to boot; $(seconds_since "$t0")s since the poweroff)"
    check "every supervisor program is RUNNING after the reboot" wait_until 120 "every program RUNNING" all_running
    check "after the reboot, MariaDB listens on 127.0.0.1:$DB_PORT only (not mariadb.socket's [::]:3306)" database_listens_on_loopback_only
    check "after the reboot, nothing listens beyond loopback but the design's ports and sshd" only_design_listeners
    check "Debian's own nginx, Varnish, HAProxy and memcached stayed off after the reboot" on_server bash -c \
        '! systemctl is-active -q nginx varnish haproxy memcached supervisor'
    request "GET (https, after the reboot)" "https://$PUBLIC_HTTPS/"
    expect "https after the reboot: 200 with Plone's generator tag" "$(served_by_plone; echo $?)" "status $code"
    request "GET (REST, after the reboot)" "https://$PUBLIC_HTTPS/$doc" -u "$auth" -H 'Accept: application/json'
    expect "the Document written before the reboot is there" "$([ "$code" = 200 ]; echo $?)" "status $code"

    # README step 14: stop everything (exercise step 14).
    run_sections "$MACHINE" '^Stop everything' '^Stop everything'
    check "$unit is inactive" wait_until 120 "$unit to stop" unit_inactive "$unit"
    check "no process of the bundle is left on the machine" nothing_of_bundle_runs
    local still="" p
    for p in $BUNDLE_PORTS; do port_listening "$p" && still="$still $p"; done
    expect "no port of the bundle is still listening" "$([ -z "$still" ]; echo $?)" "listening:$still"
    log "design $BUNDLE_NAME on $RELEASE done in $(seconds_since "$t_design")s"
}

# --- main --------------------------------------------------------------------------------

require_root tests/stack/drill.sh "it boots machines and runs the bundle as its README says, as root"
declare -A boot_seconds=() reboot_seconds=() upgrade_figures=() watchdog_seconds=() watchdog_figures=()

designs=("$@")
if [ ${#designs[@]} -eq 0 ]; then
    # The default design (Debian 13) and the alternative one (Debian 12): both releases.
    designs=("$root/target/drill-default-design.json" "$here/alt-design.json")
fi

netns_sweep_stale
if check "the CLI is built" build_cli; then
    if [ "${designs[0]}" = "$root/target/drill-default-design.json" ]; then
        # The default design with the one value every operator sets: the public name.
        check "stackwright defaults, with the public name www.stackwright.test" bash -c \
            "'$CLI' defaults | $PY -c 'import json, sys; d = json.load(sys.stdin); [c[\"settings\"].update(public_host=\"www.stackwright.test\") for c in d[\"components\"] if c[\"kind\"] == \"nginx\"]; json.dump(d, sys.stdout, indent=2)' > '${designs[0]}'"
    fi
    for design in "${designs[@]}"; do
        run_design "$design"
        if [ -n "$work" ]; then
            log "keeping the logs in $LOG_KEEP/$BUNDLE_NAME-$RELEASE"
            keep_logs
            [ "$failed" -gt "$design_failed_before" ] && dump_logs
            cleanup_design
        fi
    done
fi

for release in "${!boot_seconds[@]}"; do
    log "figures: $release boots in ${boot_seconds[$release]}s; reboot to site ${reboot_seconds[$release]:-?}s; rolling restart under load: ${upgrade_figures[$release]:-?}; frozen instance restarted after ${watchdog_seconds[$release]:-?}s, meanwhile ${watchdog_figures[$release]:-?}"
done
log "drill finished in $(seconds_since "$start_time")s; logs of the last run in $LOG_KEEP"
summary_printed=1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
