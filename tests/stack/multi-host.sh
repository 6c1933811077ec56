#!/usr/bin/env bash
# A design on several machines, run as one chain: each machine is a real server of the
# design's Debian release (tests/stack/machines.sh: systemd as PID 1, Debian's stock
# /etc/hosts, apt's only source a local archive of Debian's packages), in a network
# namespace of its own on a private bridge, and each is set up by following its README's
# code blocks as they are written.
#
#   tests/stack/multi-host.sh [DESIGN.json]     (as root; default tests/stack/multi-host-design.json:
#                                                web tier on web, instances on app1 and app2,
#                                                the database on app2)
#
# The bundle is unzipped into a "workstation" folder here (the README's /root). Lines of the
# READMEs run as they are, as root on the machine they are for, with
# tests/stack/readme_lines.sh (shared with drill.sh), which logs the few replacements a test
# machine needs: `scp` becomes a copy onto the machine's disk (the machines do not log in to
# each other), and bin/setup gets a folder of wheels (no route to the package index). apt
# installs for real, Debian starts its services and the READMEs' systemctl lines run.
#
# Checks: the machines are set up in the top README's order; the site through nginx
# (HTTP, HTTPS); memcached and the database reached across hosts; a write through an
# instance on one host read through one on another; the web README's failover drill
# (every instance of one host stopped: no failed request; all stopped: the panic page);
# packing; a clean stop in reverse order with nothing of the bundle left running. The
# machines, namespaces and bridge are removed in a trap, also on failure. Last line:
# "N passed, N failed".
set -uo pipefail
exec </dev/null
exec 8>&1 9>&2

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/stack"
PY=/usr/bin/python3
CLI="$root/target/debug/stackwright"
LOG_KEEP="$root/target/drill-logs/multi-host"
PLONE_MARKER='<meta name="generator" content="Plone'
design=${1:-$here/multi-host-design.json}

# shellcheck source=tests/stack/netns.sh
. "$here/netns.sh"
# shellcheck source=tests/stack/machines.sh
. "$here/machines.sh"
WHEELS=/var/local/stackwright-wheels   # the wheelhouse, on each machine

passed=0
failed=0
start_time=$EPOCHREALTIME
tmp=""
summary_printed=""
declare -A host_addr
setup_order=()

. "$here/report.sh"

wait_until() {   # SECONDS DESCRIPTION COMMAND...: polls once a second, bounded
    local limit=$1 what=$2 t0=$EPOCHREALTIME deadline
    shift 2
    deadline=$((SECONDS + limit))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if "$@"; then log "waited $(seconds_since "$t0")s for $what"; return 0; fi
        sleep 1
    done
    log "gave up after ${limit}s waiting for $what"
    return 1
}

# --- HTTP, from the web host -------------------------------------------------------------

# request HOST LABEL URL [CURL-ARGS...]: one logged request made on HOST; sets code, body, headers.
request() {
    local host=$1 label=$2 url=$3 t0=$EPOCHREALTIME
    shift 3
    body="$tmp/response.body"
    headers="$tmp/response.headers"
    : > "$body"
    : > "$headers"
    code=$(netns_exec "$host" curl -s --max-time 30 -o "$body" -D "$headers" -w '%{http_code}' "$@" "$url")
    log "$label (on $host) $url -> $code ($(stat -c %s "$body") bytes, $(seconds_since "$t0")s)"
}
# public_request LABEL PATH [CURL-ARGS...]: a request on the web host to the site's public
# https URL, its name sent to the host's loopback (the self-signed certificate accepted).
public_request() {
    local label=$1 path=$2
    shift 2
    request "$WEB" "$label" "https://$PUBLIC_HTTPS$path" --resolve "$PUBLIC_HOST:$HTTPS_PORT:127.0.0.1" --insecure "$@"
}
fresh_counter=0
fresh_request() {
    fresh_counter=$((fresh_counter + 1))
    public_request "$1" "/?multihost=$$-$fresh_counter-$RANDOM"
}
served_by_plone() { [ "$code" = 200 ] && grep -qF "$PLONE_MARKER" "$body"; }
site_answers() { fresh_request "GET (site?)"; served_by_plone; }
panic_page() { fresh_request "GET (panic?)"; grep -q Panic "$body"; }

stats_field() {   # PROXY SERVER FIELD: one value of HAProxy's statistics, read on the web host
    netns_exec "$WEB" curl -s --max-time 5 "http://127.0.0.1:$STATS_PORT/;csv" | awk -F, -v px="$1" -v sv="$2" -v field="$3" '
        NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == px && $2 == sv { print $col[field]; exit }'
}
server_down() { case "$(stats_field instances "$1" status)" in DOWN|MAINT*) return 0 ;; esac; return 1; }
server_up() { [ "$(stats_field instances "$1" status)" = UP ]; }

# --- the READMEs' lines (tests/stack/readme_lines.sh) ------------------------------------

readme_of() { printf '%s/workstation/%s/hosts/%s/README.md' "$tmp" "$BUNDLE_NAME" "$1"; }
# shellcheck source=tests/stack/readme_lines.sh
. "$here/readme_lines.sh"

unit_inactive() { ! machine "$1" systemctl is-active -q "stackwright-$BUNDLE_NAME.service"; }

# bundle_processes HOST: HOST's processes running in or from the install folder.
bundle_processes() { machine_processes_in "$1" "$INSTALL_DIR"; }

keep_logs() {
    rm -rf "$LOG_KEEP"
    mkdir -p "$LOG_KEEP"
    local host
    for host in "${setup_order[@]}"; do
        mkdir -p "$LOG_KEEP/$host"
        cp -r "$(machine_root "$host")$INSTALL_DIR/var/log" "$LOG_KEEP/$host/" 2>/dev/null
        cp "$(machine_root "$host")$INSTALL_DIR/var/nginx/error.log" "$LOG_KEEP/$host/nginx-error.log" 2>/dev/null
        cp -r "$(machine_root "$host")/var/log/mysql" "$LOG_KEEP/$host/" 2>/dev/null
        [ -n "${machine_leader[$host]:-}" ] && machine "$host" journalctl --no-pager > "$LOG_KEEP/$host/journal.log" 2>&1
    done
    cp -r "$tmp/out" "$LOG_KEEP/" 2>/dev/null
    true
}

dump_logs() {
    local f
    [ -n "$MACHINES_DIR" ] || return 0
    for f in "$MACHINES_DIR"/*/root"$INSTALL_DIR"/var/log/*.log "$MACHINES_DIR"/*/root/var/log/mysql/error.log; do
        [ -f "$f" ] || continue
        echo "----- $f (last 60 lines)"
        tail -n 60 "$f"
    done
}

# cleanup: powers off the machines, removes them, the namespaces, the bridge and the folder.
cleanup() {
    if [ -n "$tmp" ]; then
        keep_logs
        [ "$failed" -gt 0 ] && dump_logs
        machines_down_all
        remove_in_background "$tmp"
        tmp=""
    fi
}

on_exit() {
    local status=$?
    exec 1>&8 2>&9
    cleanup
    if [ -z "$summary_printed" ]; then
        fail "the multi-host drill ran to its end" "interrupted (status $status)"
        echo "$passed passed, $failed failed"
        exit 1
    fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# --- main --------------------------------------------------------------------------------

require_root tests/stack/multi-host.sh "it boots machines in network namespaces"

main() {
    if ! [ -x "$CLI" ] || [ -n "$(find "$root/core/src" "$root/core/templates" "$root/cli/src" -newer "$CLI" -type f -print -quit)" ]; then
        check "the CLI is built" bash -c "cd '$root' && cargo build -q -p stackwright" || return 1
    fi
    local env_lines
    env_lines=$($PY "$here/design_env.py" "$design") || { fail "read the design $design"; return 1; }
    eval "$env_lines"
    eval "$($PY - "$design" <<'EOF'
import json, shlex, sys
d = json.load(open(sys.argv[1]))
hosts = {h["id"]: h["address"] for h in d["hosts"]}
comp = {c["kind"]: c for c in d["components"]}
zope = [c for c in d["components"] if c["kind"] == "zope"]
print("HOST_LIST=" + shlex.quote(" ".join(hosts)))
for h, a in hosts.items():
    print(f"host_addr[{h}]={shlex.quote(a)}")
print("INSTALL_DIR=" + shlex.quote(d["settings"]["install_dir"].rstrip("/")))
print("WEB=" + shlex.quote(comp["nginx"]["host"]))
print("DB_HOST=" + shlex.quote(comp["database"]["host"]))
print("DB_ADDRESS=" + shlex.quote(comp["database"]["address"]))
print("MEMCACHED_ADDRESS=" + shlex.quote(comp["memcached"]["address"]))
print("INSTANCE_HOSTS=" + shlex.quote(" ".join(f"{c['id']}={c['host']}" for c in zope)))
other = [c["host"] for c in zope if c["host"] != comp["database"]["host"]]
print("OTHER_APP=" + shlex.quote(other[0] if other else comp["nginx"]["host"]))
EOF
)"
    log "design $design: hosts $HOST_LIST; web $WEB, database on $DB_HOST ($DB_ADDRESS:$DB_PORT), instances $INSTANCE_HOSTS"

    tmp=$(mktemp -d /var/tmp/stackwright-mh.XXXXXX)
    chmod 755 "$tmp"
    WORKSTATION=$tmp/workstation README_OUT=$tmp/out
    mkdir -p -m 755 "$tmp/workstation" "$tmp/hosts" "$tmp/out"
    check "stackwright bundle" "$CLI" bundle "$design" --out "$tmp/workstation/$BUNDLE_NAME.zip" || return 1
    check "unzip the bundle" unzip -q "$tmp/workstation/$BUNDLE_NAME.zip" -d "$tmp/workstation" || return 1

    # The top README's table gives the order: "| 1 | `hosts/app2/` | ADDRESS | ... |".
    mapfile -t setup_order < <(sed -nE 's/^\| [0-9]+ \| `hosts\/([^/]+)\/` \|.*/\1/p' "$tmp/workstation/$BUNDLE_NAME/README.md")
    log "set-up order from the top README: ${setup_order[*]}"
    expect "the top README lists every host with a folder (${setup_order[*]})" \
        "$([ "${#setup_order[@]}" -ge 3 ] && [ "$(printf '%s\n' "${setup_order[@]}" | sort | tr '\n' ' ')" = "$(printf '%s\n' $HOST_LIST | sort | tr '\n' ' ')" ]; echo $?)" "hosts: $HOST_LIST" || return 1
    expect "the database host $DB_HOST is set up first" "$([ "${setup_order[0]}" = "$DB_HOST" ]; echo $?)" "first: ${setup_order[0]}"
    expect "the web host $WEB is set up last (its README ends with the failover drill)" \
        "$([ "${setup_order[-1]}" = "$WEB" ]; echo $?)" "last: ${setup_order[-1]}"
    local h
    for h in "${setup_order[@]}"; do
        expect "hosts/$h has a README for its machine" "$(grep -q "^# $BUNDLE_NAME: host $h\$" "$(readme_of "$h")"; echo $?)" "no README" || return 1
    done
    expect "no README refers to a folder outside its host's (../)" \
        "$(! grep -l '\.\./' "$tmp/workstation/$BUNDLE_NAME"/hosts/*/README.md; echo $?)" "found ../"
    expect "only the database host carries sql/create-database.sql" \
        "$([ "$(cd "$tmp/workstation/$BUNDLE_NAME" && ls hosts/*/sql/create-database.sql)" = "hosts/$DB_HOST/sql/create-database.sql" ]; echo $?)" \
        "found: $(cd "$tmp/workstation/$BUNDLE_NAME" && ls hosts/*/sql/create-database.sql 2>&1)"

    # The wheels, while this machine still reaches the index (the machines do not).
    local req wheels
    req=$(ls "$tmp/workstation/$BUNDLE_NAME"/hosts/*/requirements.txt | head -1)
    wheels=$(wheelhouse "$req" "$PYTHON_VERSION")
    expect "a wheelhouse for Python $PYTHON_VERSION" "$([ -n "$wheels" ]; echo $?)" "pip download failed" || return 1

    netns_sweep_stale
    for h in $HOST_LIST; do
        check "a fresh $RELEASE machine $h (${host_addr[$h]}) boots" machine_up "$h" "$RELEASE" "${host_addr[$h]}" || return 1
        mkdir -p "$(machine_root "$h")$WHEELS"
        cp "$wheels"/*.whl "$(machine_root "$h")$WHEELS/"
    done

    # Each machine up to and including "Start everything", in the top README's order.
    local t0
    for h in "${setup_order[@]}"; do
        t0=$EPOCHREALTIME
        log "=================== host $h: its README up to 'Start everything'"
        run_sections "$h" '^Prerequisites' '^Start everything' || return 1
        log "host $h set up in $(seconds_since "$t0")s"
        if [ "$h" = "$DB_HOST" ]; then
            check "MariaDB on $DB_HOST accepts connections from $OTHER_APP ($DB_ADDRESS:$DB_PORT)" \
                netns_wait_port "$OTHER_APP" "$DB_ADDRESS" "$DB_PORT" 60 || return 1
        fi
    done

    # The chain, seen from the web host.
    local id host
    for pair in $INSTANCE_HOSTS; do
        id=${pair%%=*}
        check "HAProxy on $WEB sees $id (on ${pair#*=}) UP" wait_until 90 "HAProxy to mark $id UP" server_up "$id" || return 1
    done
    check "the site answers through nginx on $WEB" wait_until 60 "Plone through nginx" site_answers || return 1
    request "$WEB" "GET (http)" "http://$PUBLIC_HOST:$HTTP_PORT/" --resolve "$PUBLIC_HOST:$HTTP_PORT:127.0.0.1"
    expect "http: 301 to https://$PUBLIC_HTTPS/" "$([ "$code" = 301 ] && grep -qi "^location: https://$PUBLIC_HTTPS/" "$headers"; echo $?)" "status $code"
    public_request "GET (https)" /
    expect "https: 200 with Plone's generator tag" "$(served_by_plone; echo $?)" "status $code"
    run_sections "$WEB" '^Test the full stack' '^Test the full stack'

    local mc_sets objects
    mc_sets=$(netns_exec "$OTHER_APP" bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "stats\r\nquit\r\n" >&3 && tr -d "\r" <&3' mc "$MEMCACHED_ADDRESS" "$MEMCACHED_PORT" | awk '$2 == "cmd_set" { print $3 }')
    expect "memcached on $WEB, asked from $OTHER_APP, holds RelStorage's cache (cmd_set=${mc_sets:-none})" "$([ "${mc_sets:-0}" -gt 0 ]; echo $?)" "no sets"
    objects=$(netns_exec "$OTHER_APP" mariadb --no-defaults -h "$DB_ADDRESS" -P "$DB_PORT" -u "$DB_USER" -p"$DB_PASSWORD" "$DB_NAME" -N -e 'select count(*) from object_state' 2>&1)
    expect "the database on $DB_HOST, asked from $OTHER_APP as $DB_USER, holds the ZODB ($objects objects)" "$([ "$objects" -gt 0 ] 2>/dev/null; echo $?)" "$objects"

    # Write through an instance on one host, read through one on another.
    local first_pair last_pair first_id last_id first_port last_port doc="mh-$$-$RANDOM"
    read -r -a pairs <<< "$INSTANCE_HOSTS"
    read -r -a ports <<< "$INSTANCE_PORTS"
    first_pair=${pairs[0]} last_pair=${pairs[-1]}
    first_id=${first_pair%%=*} last_id=${last_pair%%=*}
    first_port=${ports[0]} last_port=${ports[-1]}
    request "${first_pair#*=}" "POST (REST, $first_id)" "http://127.0.0.1:$first_port/$SITE_ID" -u "$ZOPE_ADMIN_USER:$ZOPE_ADMIN_PASSWORD" -X POST \
        -H 'Accept: application/json' -H 'Content-Type: application/json' -d "{\"@type\": \"Document\", \"id\": \"$doc\", \"title\": \"Written on ${first_pair#*=}\"}"
    expect "a Document is created through $first_id on ${first_pair#*=} (201)" "$([ "$code" = 201 ]; echo $?)" "status $code"
    request "${last_pair#*=}" "GET (REST, $last_id)" "http://127.0.0.1:$last_port/$SITE_ID/$doc" -u "$ZOPE_ADMIN_USER:$ZOPE_ADMIN_PASSWORD" -H 'Accept: application/json'
    expect "$last_id on ${last_pair#*=} reads it" "$([ "$code" = 200 ] && grep -qF "Written on ${first_pair#*=}" "$body"; echo $?)" "status $code"

    # The web README's failover drill: its lines run on the machines they name.
    log "=================== the failover drill (web README)"
    local section block_host line fo_requests=0 fo_failed=0 t_fo=$EPOCHREALTIME
    declare -A left
    for pair in $INSTANCE_HOSTS; do left[${pair#*=}]=$(( ${left[${pair#*=}]:-0} + 1 )); done
    local total=${#pairs[@]} stopped=0 n_stop=0 started=""
    while IFS=$'\t' read -r section block_host line; do
        [[ $section =~ ^The\ failover\ drill ]] || continue
        case "$line" in
            *" stop "*)
                n_stop=$((n_stop + 1))
                id=${line##* }
                run_line "$block_host" "$section" "$line" < /dev/null
                stopped=$((stopped + 1))
                left[$block_host]=$((left[$block_host] - 1))
                if [ "$stopped" -lt "$total" ]; then
                    local deadline=$((SECONDS + 60)) marked=1
                    while [ "$SECONDS" -lt "$deadline" ]; do
                        fresh_request "GET (failover, $id stopped)"
                        fo_requests=$((fo_requests + 1))
                        served_by_plone || { fo_failed=$((fo_failed + 1)); log "failover request failed: $code"; }
                        if server_down "$id"; then marked=0; break; fi
                        sleep 0.3
                    done
                    expect "HAProxy marks $id down" "$marked" "still up after 60s"
                    local n
                    for n in 1 2 3 4 5; do
                        fresh_request "GET (failover, $((total - stopped)) left)"
                        fo_requests=$((fo_requests + 1))
                        served_by_plone || { fo_failed=$((fo_failed + 1)); log "failover request failed: $code"; }
                    done
                    if [ "${left[$block_host]}" -eq 0 ]; then
                        expect "every instance of $block_host stopped: no request failed ($fo_failed of $fo_requests so far)" \
                            "$([ "$fo_failed" -eq 0 ]; echo $?)" "$fo_failed failed"
                    fi
                else
                    check "HAProxy marks the last instance $id down" wait_until 60 "$id down" server_down "$id"
                    check "every instance stopped: nginx serves the panic page" wait_until 60 "the panic page" panic_page
                fi ;;
            *" start "*)
                run_line "$block_host" "$section" "$line" < /dev/null
                started=1
                check "the site comes back after: $line" wait_until 180 "the site to recover" site_answers ;;
            *) run_line "$block_host" "$section" "$line" < /dev/null ;;
        esac
    done < <(readme_lines "$WEB")
    expect "the web README's failover drill stops every instance ($n_stop of $total) and starts one again" \
        "$([ "$n_stop" -eq "$total" ] && [ -n "$started" ]; echo $?)" "stops $n_stop, start: ${started:-none}"
    log "failover across hosts: $fo_requests requests, $fo_failed failed ($(seconds_since "$t_fo")s)"
    echo "failover (multi-host): $fo_requests requests, $fo_failed failed"

    # What comes between the drill and the end: packing, on the host that carries it.
    for h in "${setup_order[@]}"; do
        if grep -q '^## .*Pack the database' "$(readme_of "$h")"; then
            run_sections "$h" '^Pack the database' '^Pack the database'
        fi
    done
    check "the site still answers after packing" wait_until 30 "the site" site_answers

    # Back up and restore across the machines, by the site machine's README: a File written
    # before the backup comes back byte for byte (without shared blobs, from the database
    # dump), a Document written after it is gone.
    local site_host="" kept="mh-kept-$$-$RANDOM" lost="mh-lost-$$-$RANDOM" blob_sum back auth="$ZOPE_ADMIN_USER:$ZOPE_ADMIN_PASSWORD"
    for h in "${setup_order[@]}"; do
        if grep -q '^## .*Back up' "$(readme_of "$h")"; then site_host=$h; fi
    done
    expect "a machine's README backs up the site (${site_host:-none})" "$([ -n "$site_host" ]; echo $?)" "no README has 'Back up'"
    head -c 1048576 /dev/urandom > "$tmp/blob.bin"
    blob_sum=$(sha256sum "$tmp/blob.bin" | cut -d' ' -f1)
    "$PY" "$here/file_json.py" "$tmp/blob.bin" "$kept" "Backed up" > "$tmp/blob.json"
    # An instance that runs (the failover drill left one): its host and port.
    local up_host="" up_port="" i
    for i in "${!pairs[@]}"; do
        if netns_exec "${pairs[$i]#*=}" curl -s -o /dev/null --max-time 5 "http://127.0.0.1:${ports[$i]}/"; then
            up_host=${pairs[$i]#*=} up_port=${ports[$i]}
            break
        fi
    done
    request "$up_host" "POST (REST, a File of 1 MiB, on $up_host)" "http://127.0.0.1:$up_port/$SITE_ID" -u "$auth" -X POST \
        -H 'Accept: application/json' -H 'Content-Type: application/json' --data-binary "@$tmp/blob.json"
    expect "a File of 1 MiB created before the backup (201)" "$([ "$code" = 201 ]; echo $?)" "status $code"
    run_sections "$site_host" '^Back up' '^Back up'
    log "the backup on $site_host: $(machine "$site_host" journalctl -u "stackwright-$BUNDLE_NAME-backup.service" -o cat --no-pager | grep 'bin/backup:' | tail -n 1)"
    local backed_up=""
    check "the backup unit on $site_host succeeded" machine "$site_host" bash -c \
        "[ \"\$(systemctl show -p Result --value stackwright-$BUNDLE_NAME-backup.service)\" = success ]" && backed_up=1
    request "$up_host" "POST (REST, a Document after the backup)" "http://127.0.0.1:$up_port/$SITE_ID" -u "$auth" -X POST \
        -H 'Accept: application/json' -H 'Content-Type: application/json' -d "{\"@type\": \"Document\", \"id\": \"$lost\", \"title\": \"Lost\"}"
    expect "a Document written after the backup (201)" "$([ "$code" = 201 ]; echo $?)" "status $code"
    # Without a backup, the data is not destroyed: the rest of the suite still runs.
    [ -n "$backed_up" ] || fail "no backup on $site_host: the restore is not tried"
    if [ -n "$backed_up" ]; then
        check "the data is lost: the database on $DB_HOST dropped and created empty" machine "$DB_HOST" \
            mariadb -e "DROP DATABASE \`$DB_NAME\`; CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4"
        local t0=$EPOCHREALTIME
        run_sections "$site_host" '^Restore' '^Restore'
        log "the restore across the machines took $(seconds_since "$t0")s"
        check "the site answers after the restore" wait_until 180 "the site after the restore" site_answers
        public_request "GET (the File's download after the restore)" "/$kept/@@download/file" -u "$auth"
        back=$(sha256sum "$body" | cut -d' ' -f1)
        expect "the File written before the backup is back, byte for byte (sha256)" \
            "$([ "$code" = 200 ] && [ "$back" = "$blob_sum" ]; echo $?)" "status $code, sha256 $back, want $blob_sum"
        public_request "GET (REST, the Document written after the backup)" "/$lost" -u "$auth" -H 'Accept: application/json'
        expect "the Document written after the backup is gone (404)" "$([ "$code" = 404 ]; echo $?)" "status $code"
        for pair in $INSTANCE_HOSTS; do
            id=${pair%%=*}
            check "HAProxy on $WEB sees $id UP after the restore" wait_until 90 "HAProxy to mark $id UP" server_up "$id"
        done
    fi
    rm -f "$tmp/blob.bin" "$tmp/blob.json"

    # Stop every machine, in the reverse order.
    local i
    for ((i = ${#setup_order[@]} - 1; i >= 0; i--)); do
        h=${setup_order[$i]}
        run_sections "$h" '^Stop everything' '^Stop everything'
        check "the bundle's unit on $h stops" wait_until 120 "the unit of $h to stop" unit_inactive "$h"
    done
    for h in $HOST_LIST; do
        local left_pids
        left_pids=$(bundle_processes "$h")
        expect "nothing of the bundle is left running on $h" "$([ -z "$left_pids" ]; echo $?)" "$left_pids"
    done
}

main
cleanup
log "multi-host drill finished in $(seconds_since "$start_time")s"
summary_printed=1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
