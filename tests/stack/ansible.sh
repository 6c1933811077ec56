#!/usr/bin/env bash
# Deploys a design on three real servers with the bundle's own Ansible playbook, as a user
# would, on each Debian release a user deploys to.
#
#   tests/stack/ansible.sh [bookworm|trixie|DESIGN.json ...]
#                                             (as root; default: bookworm trixie, that is
#                                              tests/stack/ansible-design.json on Debian 12 and
#                                              the same design on Debian 13: web tier on web,
#                                              an instance and the database on app1, an
#                                              instance on app2)
#
# Each machine of the design is a fresh server of the design's release
# (tests/stack/machines.sh): systemd as PID 1, Debian's stock /etc/hosts, its own sshd, apt's
# only source a local archive of Debian's packages. Ansible connects over SSH from a
# controller (a network namespace of its own on the same bridge, with the pinned
# ansible-core), so apt really installs, Debian really starts its services and the playbook
# really stops them, enables the bundle's systemd unit and starts it. pip gets the wheels
# from a folder on each machine (-e stackwright_pip_find_links, as the README says for
# machines without the package index).
#
# It builds the bundle with the CLI, unzips it, runs the README's two lines, checks the
# chain through nginx and across machines, runs the playbook again and checks that no task
# changed anything on any machine, then reboots every machine and checks that the site
# comes back with no command typed. Last line: "N passed, N failed". Logs:
# target/ansible-logs/<release>/.
set -uo pipefail
exec </dev/null
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/stack"
. "$here/netns.sh"
. "$here/machines.sh"

CLI="$root/target/debug/stackwright"
ANSIBLE_BIN="$root/target/ansible-venv/bin"
PY=/usr/bin/python3
LOGS="$root/target/ansible-logs"
PLONE_MARKER='<meta name="generator" content="Plone'
CONTROLLER_ADDR=10.77.0.2
CLIENT_ADDR=10.77.0.50          # the acceptance checks' client, a visitor on the network
WHEELS=/var/local/stackwright-wheels   # the wheelhouse, on each machine

passed=0
failed=0
start_time=$EPOCHREALTIME
work=""
design=""
summary_printed=""
declare -A address=() figures=()

. "$here/report.sh"
# The wheelhouse helper (and remove_in_background) of the README runner.
. "$here/readme_lines.sh"
# shellcheck source=tests/stack/acceptance.sh
. "$here/acceptance.sh"

# wait_until SECONDS COMMAND...: polls once a second, bounded.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    while [ "$SECONDS" -lt "$deadline" ]; do
        "$@" && return 0
        sleep 1
    done
    "$@"
}

json() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$design"; }

# on HOST COMMAND...: runs COMMAND on a machine, as root.
on() { machine "$@"; }

# from_controller COMMAND...: runs COMMAND in the controller's namespace.
from_controller() { netns_exec controller "$@"; }

keep_logs() {
    [ -n "$work" ] || return 0
    local dest="$LOGS/$RELEASE" host
    mkdir -p "$dest"
    for host in "${MACHINES_CREATED[@]}"; do
        [ -n "${machine_leader[$host]:-}" ] || continue
        on "$host" sh -c "cd $INSTALL_DIR 2>/dev/null && tar -cf - var/log 2>/dev/null" > "$dest/$host-var-log.tar" 2>/dev/null
        on "$host" journalctl --no-pager > "$dest/$host-journal.log" 2>&1
    done
    cp "$work"/*.log "$dest/" 2>/dev/null
    return 0
}

cleanup() {
    local status=$?
    keep_logs
    machines_down_all
    [ -n "$work" ] && remove_in_background "$work"
    work=""
    if [ -z "$summary_printed" ]; then
        fail "the test ran to its end" "interrupted (status $status)"
        echo "$passed passed, $failed failed"
        exit 1
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# playbook LOG: the README's two lines, from the controller, with the machines' wheel folder.
playbook() {
    local line="${ansible_lines[1]} -e stackwright_pip_find_links=$WHEELS"
    log "run (controller, in $bundle): ${ansible_lines[0]} && $line"
    (cd "$bundle" && timeout 1800 ip netns exec "$(netns_name controller)" bash -c "${ansible_lines[0]} && $line") \
        > "$work/$1" 2>&1
}

# recap LOG: "host ok changed unreachable failed" for each machine of the PLAY RECAP.
recap() {
    awk '/^PLAY RECAP/ { on = 1; next }
         on && /:/ { h = $1; o = c = u = f = "";
                     for (i = 2; i <= NF; i++) { split($i, kv, "=");
                         if (kv[1] == "ok") o = kv[2]; if (kv[1] == "changed") c = kv[2];
                         if (kv[1] == "unreachable") u = kv[2]; if (kv[1] == "failed") f = kv[2] }
                     print h, o, c, u, f }' "$1"
}

# every_machine_recap LOG WANT-CHANGED: every machine is in the recap, none failed or
# unreachable, and (when WANT-CHANGED is 0) none changed anything.
every_machine_recap() {
    local lines host ok changed unreachable failures bad=0
    lines=$(recap "$1")
    printf '%s\n' "$lines"
    for host in "${hosts[@]}"; do
        grep -q "^$host " <<< "$lines" || { echo "$host is not in the recap"; bad=1; }
    done
    while read -r host ok changed unreachable failures; do
        [ "$unreachable" = 0 ] && [ "$failures" = 0 ] || { echo "$host: unreachable=$unreachable failed=$failures"; bad=1; }
        if [ "$2" = 0 ] && [ "$changed" != 0 ]; then echo "$host: changed=$changed"; bad=1; fi
    done <<< "$lines"
    return "$bad"
}

served_by_plone() {
    local out
    out=$(from_controller curl -s --insecure --max-time 30 -w '\n%{http_code}' "$@") || return 1
    [ "${out##*$'\n'}" = 200 ] && grep -qF "$PLONE_MARKER" <<< "$out" && grep -qF "://$public_host:" <<< "$out"
}

# deploy DESIGN: the whole test for one design, on fresh machines of its release.
deploy() {
    design=$1
    local t_design=$EPOCHREALTIME status t0 host
    RELEASE=$(json "{'debian-12': 'bookworm', 'debian-13': 'trixie'}[d['settings']['platform']]")
    PYTHON_VERSION=$(json "{'debian-12': '3.11', 'debian-13': '3.13'}[d['settings']['platform']]")
    log "=================== $(basename "$design") on $RELEASE"
    work=$(mktemp -d /var/tmp/stackwright-ansible.XXXXXX)
    rm -rf "${LOGS:?}/$RELEASE"
    mkdir -p "$LOGS/$RELEASE"
    BUNDLE_NAME=$(json "d['settings']['name']")
    INSTALL_DIR=$(json "d['settings']['install_dir'].rstrip('/')")
    check "stackwright bundle $(basename "$design")" "$CLI" bundle "$design" --out "$work/$BUNDLE_NAME.zip" || return 1
    check "unzip the bundle" unzip -q "$work/$BUNDLE_NAME.zip" -d "$work/controller" || return 1
    bundle="$work/controller/$BUNDLE_NAME"
    readme="$bundle/README.md"

    # The README's lines for Ansible: the first ```sh block of its "Deploy with Ansible" section.
    mapfile -t ansible_lines < <(awk '
        /^## / { in_section = ($0 ~ /Ansible/); next }
        in_section && /^```sh/ { in_block = 1; next }
        in_block && /^```/ { exit }
        in_block { print }' "$readme")
    check "the README says how to deploy with Ansible in two lines" \
        bash -c '[ "$1" = "cd ansible" ] && [[ $2 == "ansible-playbook site.yml"* ]] && [ "$3" = 2 ]' _ \
        "${ansible_lines[0]:-}" "${ansible_lines[1]:-}" "${#ansible_lines[@]}" || return 1

    local requirements wheels
    requirements=$(ls "$bundle"/hosts/*/requirements.txt | head -1)
    wheels=$(wheelhouse "$requirements" "$PYTHON_VERSION")
    expect "a wheelhouse for Python $PYTHON_VERSION" "$([ -n "$wheels" ]; echo $?)" "pip download failed" || return 1

    # --- machines: fresh servers, an SSH key for the controller --------------------------
    mapfile -t hosts < <(json "'\n'.join(h['id'] for h in d['hosts'])")
    for host in "${hosts[@]}"; do
        address[$host]=$(json "next(h['address'] for h in d['hosts'] if h['id'] == '$host')")
    done
    netns_up controller "$CONTROLLER_ADDR" || { fail "namespace controller"; return 1; }
    local ssh_dir="$work/ssh"
    mkdir -p "$ssh_dir"
    ssh-keygen -q -t ed25519 -N '' -C stackwright-test -f "$ssh_dir/id_ed25519"
    for host in "${hosts[@]}"; do
        check "a fresh $RELEASE machine $host (${address[$host]}) boots" machine_up "$host" "$RELEASE" "${address[$host]}" || return 1
        figures[boot-$RELEASE]="${figures[boot-$RELEASE]:-}${figures[boot-$RELEASE]:+, }$host ${machine_boot_seconds[$host]}s"
        local r
        r=$(machine_root "$host")
        install -d -m 700 "$r/root/.ssh"
        install -m 600 "$ssh_dir/id_ed25519.pub" "$r/root/.ssh/authorized_keys"
        mkdir -p "$r$WHEELS"
        cp "$wheels"/*.whl "$r$WHEELS/"
        check "sshd on $host answers the controller" netns_wait_port controller "${address[$host]}" 22 30 || return 1
    done

    export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_PRIVATE_KEY_FILE="$ssh_dir/id_ed25519"
    export ANSIBLE_LOCAL_TEMP="$work/ansible-local" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
    # SSH's shared connections of this run only: another run side by side has machines at
    # the same addresses on its own bridge, and must not reach them through ours.
    export ANSIBLE_SSH_CONTROL_PATH_DIR="$work/ssh-control"
    export ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=$work/ssh/known_hosts"
    export PATH="$ANSIBLE_BIN:$PATH"

    # --- first run -----------------------------------------------------------------------
    t0=$SECONDS
    playbook first-run.log
    status=$?
    grep -E '^(PLAY|TASK|changed|fatal|failed|ok: \[|skipping)|^\s+"msg"' "$work/first-run.log" | grep -v '^ok: \[' | tail -n 200 | sed 's/^/    | /'
    log "first run: exit status $status after $((SECONDS - t0))s"
    figures[first-run-$RELEASE]="$((SECONDS - t0))s"
    if ! check "first run: every machine deployed, none failed or unreachable" every_machine_recap "$work/first-run.log" 1 ||
        [ "$status" -ne 0 ]; then
        grep -E -A12 '^fatal|^failed' "$work/first-run.log" | head -80 | sed 's/^/    | /'
        [ "$status" -ne 0 ] && fail "first run: ansible-playbook exits 0" "exit status $status"
        return 1
    fi
    local svc
    for host in "${hosts[@]}"; do
        for svc in nginx varnish haproxy memcached; do
            on "$host" systemctl cat "$svc" > /dev/null 2>&1 || continue
            check "$host: Debian's $svc was installed and started by apt, and the playbook stopped and disabled it" on "$host" bash -c \
                "journalctl -b -u $svc -o cat --no-pager | grep -q '^Started ' && ! systemctl is-active -q $svc && [ \"\$(systemctl is-enabled $svc)\" = disabled ]"
        done
    done

    # --- the chain ---------------------------------------------------------------------------
    web=$(json "next(c['host'] for c in d['components'] if c['kind'] == 'nginx')")
    local http_port https_port
    http_port=$(json "next(c['settings']['http_port'] for c in d['components'] if c['kind'] == 'nginx')")
    https_port=$(json "next(c['settings']['https_port'] for c in d['components'] if c['kind'] == 'nginx')")
    public_host=$(json "next(c['settings']['public_host'] for c in d['components'] if c['kind'] == 'nginx')")
    site_url="https://${address[$web]}:$https_port"
    check "the site answers through nginx on $web ($site_url/), with links to $public_host" \
        wait_until 120 served_by_plone "$site_url/"
    redirects() { [ "$(from_controller curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 30 "http://${address[$web]}:$http_port/x")" = "301 https://$public_host:$https_port/x" ]; }
    check "http answers 301 to https" redirects
    varnish_header() { from_controller curl -s --insecure -o /dev/null -D - --max-time 30 "$site_url/?fresh=$RANDOM" | grep -i '^X-Varnish:'; }
    check "Varnish is on the way (X-Varnish header)" varnish_header

    # Each instance answers on its own machine, seen from the web machine (where HAProxy runs).
    mapfile -t instances < <(json "'\n'.join(c['id'] + ' ' + c['host'] + ' ' + str(c['settings']['port']) for c in d['components'] if c['kind'] == 'zope')")
    local line id port
    for line in "${instances[@]}"; do
        read -r id host port <<< "$line"
        check "$id answers on $host (${address[$host]}:$port), seen from $web" \
            netns_exec "$web" curl -sf -o /dev/null --max-time 30 "http://${address[$host]}:$port/"
    done
    stats_port=$(json "next(c['settings']['stats_port'] for c in d['components'] if c['kind'] == 'haproxy')")
    check "HAProxy sees every instance UP" wait_until 60 haproxy_up

    # memcached on the web machine holds RelStorage's cache, written by instances on other machines.
    local mc mc_sets
    mc=$(json "next(c['address'] + ':' + str(c['settings']['port']) for c in d['components'] if c['kind'] == 'memcached')")
    # Asked from an instance's machine: the web machine's firewall lets only those in.
    local mc_from
    mc_from=$(json "next(c['host'] for c in d['components'] if c['kind'] == 'zope')")
    mc_sets=$(on "$mc_from" bash -c "exec 3<>/dev/tcp/${mc%:*}/${mc#*:} && printf 'stats\r\nquit\r\n' >&3 && tr -d '\r' <&3" | awk '$2 == "cmd_set" { print $3 }')
    check "memcached ($mc), asked from $mc_from, holds the instances' cache (cmd_set=${mc_sets:-none})" test "${mc_sets:-0}" -gt 0

    # The database on its machine, reached from another machine as the instances' user.
    local db_host db db_addr db_port db_name db_user db_password objects
    db_host=$(json "next(c['host'] for c in d['components'] if c['kind'] == 'database')")
    db=$(json "next(c['address'] + ' ' + str(c['settings']['port']) + ' ' + c['settings']['name'] + ' ' + c['settings']['user'] for c in d['components'] if c['kind'] == 'database')")
    read -r db_addr db_port db_name db_user <<< "$db"
    db_password=$(json "next(c['settings']['password'] for c in d['components'] if c['kind'] == 'database')")
    for line in "${instances[@]}"; do
        read -r id host port <<< "$line"
        [ "$host" = "$db_host" ] && continue
        objects=$(on "$host" env MYSQL_PWD="$db_password" "$INSTALL_DIR/venv/bin/python" -c '
import sys, pymysql
c = pymysql.connect(host=sys.argv[1], port=int(sys.argv[2]), user=sys.argv[4], password=__import__("os").environ["MYSQL_PWD"], database=sys.argv[3])
cur = c.cursor(); cur.execute("select count(*) from object_state"); print(cur.fetchone()[0])' "$db_addr" "$db_port" "$db_name" "$db_user" 2>&1)
        check "the ZODB is in MariaDB on $db_host, read from $host as $db_user ($objects objects)" test "$objects" -gt 0 2>/dev/null
        break
    done

    # The bundle's systemd unit runs supervisord on every machine, every program RUNNING.
    local unit="stackwright-$BUNDLE_NAME.service"
    for host in "${hosts[@]}"; do
        if on "$host" test -f "$INSTALL_DIR/etc/supervisord.conf"; then
            check "$host: $unit is enabled and active" on "$host" bash -c "systemctl is-enabled $unit && systemctl is-active $unit"
            check "supervisor on $host: every program RUNNING" all_running_on "$host"
        fi
    done
    check "the site was created once, from one machine" created_once
    # The machine that created the site packs weekly and backs up nightly: the playbook
    # enabled both timers there; the backup unit, started once, succeeds.
    for host in "${hosts[@]}"; do
        if on "$host" test -f "$INSTALL_DIR/var/site-created"; then
            check "$host: the pack and backup timers are enabled and waiting" on "$host" bash -c \
                "systemctl is-enabled stackwright-$BUNDLE_NAME-pack.timer stackwright-$BUNDLE_NAME-backup.timer &&
                 systemctl is-active stackwright-$BUNDLE_NAME-pack.timer stackwright-$BUNDLE_NAME-backup.timer"
            check "$host: a backup, started as its unit, succeeds and holds a dump that matches its checksum" on "$host" bash -c \
                "systemctl start stackwright-$BUNDLE_NAME-backup.service &&
                 cd /var/backups/stackwright-$BUNDLE_NAME/latest && sha256sum --quiet --check SHA256SUMS"
        fi
    done

    # --- as a visitor and an attacker see it, from a client on the network ---------------
    eval "$($PY "$here/design_env.py" "$design")"
    haproxy_csv() { on "$web" curl -s --max-time 5 "http://127.0.0.1:$stats_port/;csv"; }
    if check "a client on the test network ($CLIENT_ADDR)" acceptance_client client "$CLIENT_ADDR" "${address[$web]}"; then
        acceptance_site client
        acceptance_load client haproxy_csv
        reachability
    fi

    # --- second run: nothing changes -----------------------------------------------------
    t0=$SECONDS
    playbook second-run.log
    status=$?
    sed -n '/^PLAY RECAP/,$p' "$work/second-run.log" | sed 's/^/    | /'
    grep -E -B2 '^changed:' "$work/second-run.log" | head -40 | sed 's/^/    | /'
    log "second run: exit status $status after $((SECONDS - t0))s"
    local changed_total
    changed_total=$(recap "$work/second-run.log" | awk '{ s += $3 } END { print s + 0 }')
    figures[second-run-$RELEASE]="changed=$changed_total in $((SECONDS - t0))s"
    check "second run: changed=0 on every machine (total changed=$changed_total)" every_machine_recap "$work/second-run.log" 0
    echo "second run ($RELEASE): changed=$changed_total"
    check "the site still answers through nginx" served_by_plone "$site_url/"

    # --- reboot every machine: the site comes back with no command typed ------------------
    for host in "${hosts[@]}"; do
        check "$host: systemctl poweroff" machine_poweroff "$host"
    done
    t0=$EPOCHREALTIME
    for host in "${hosts[@]}"; do
        check "$host boots again" machine_boot "$host" || return 1
    done
    check "the site answers through nginx after every machine rebooted" wait_until 300 served_by_plone "$site_url/"
    figures[reboot-$RELEASE]="$(seconds_since "$t0")s from the first power-on to the site"
    log "$RELEASE: reboot to site ${figures[reboot-$RELEASE]}"
    check "HAProxy sees every instance UP after the reboot" wait_until 120 haproxy_up
    for host in "${hosts[@]}"; do
        on "$host" test -f "$INSTALL_DIR/etc/supervisord.conf" || continue
        check "supervisor on $host after the reboot: every program RUNNING" wait_until 120 all_running_on "$host"
    done
    for host in "${hosts[@]}"; do
        check "after the reboot, $host listens beyond loopback only where the design says (and sshd)" \
            only_design_listeners "$host"
    done

    redeploy_under_load || return 1
    log "$(basename "$design") on $RELEASE done in $(seconds_since "$t_design")s"
}

# pids_of_programs: "host program pid" for every program of every machine.
pids_of_programs() {
    local host
    for host in "${hosts[@]}"; do
        on "$host" test -f "$INSTALL_DIR/etc/supervisord.conf" || continue
        on "$host" bash -c "cd $INSTALL_DIR && supervisorctl -c etc/supervisord.conf status" |
            awk -v h="$host" '$2 == "RUNNING" { sub(/,$/, "", $4); print h, $1, $4 }'
    done
}

# redeploy_under_load: the design changed (one more instance on app2, more threads for
# instance1, a higher open-files limit); the new bundle's playbook runs while a bounded
# request loop goes through nginx. No request may fail; only what changed is restarted.
redeploy_under_load() {
    local changed_design="$work/changed-design.json" t0 status
    "$PY" - "$design" "$changed_design" <<'PYEOF'
import copy, json, sys
d = json.load(open(sys.argv[1]))
comps = {c["id"]: c for c in d["components"]}
new = copy.deepcopy(comps["instance2"])
new.update(id="instance3", name="Instance 3")
new["settings"]["port"] = 8003
new["position"]["y"] += 100
d["components"].insert(d["components"].index(comps["instance2"]) + 1, new)
d["connections"] += [{"from": "haproxy", "to": "instance3"},
                     {"from": "instance3", "to": "database"},
                     {"from": "instance3", "to": "memcached"}]
comps["instance1"]["settings"]["threads"] = 3
d["settings"]["open_files"] = 256
json.dump(d, open(sys.argv[2], "w"), indent=2)
PYEOF
    check "the changed design validates (instance3 on app2, instance1 with 3 threads, open files 256)" \
        "$CLI" validate "$changed_design" || return 1
    check "the changed design's bundle" "$CLI" bundle "$changed_design" --out "$work/changed.zip" || return 1
    rm -rf "$work/changed"
    check "unzip it" unzip -q "$work/changed.zip" -d "$work/changed" || return 1
    local before after
    before=$(pids_of_programs)
    printf '%s\n' "$before" | sed 's/^/    | before: /'
    local stop_file="$work/stop-loop"
    rm -f "$stop_file"
    from_controller "$PY" "$here/request_loop.py" "$site_url/" "$stop_file" 20000 900 "$PLONE_MARKER" \
        > "$work/request-loop.log" 2>&1 &
    local loop_pid=$!
    t0=$SECONDS
    local first_bundle=$bundle
    bundle="$work/changed/$BUNDLE_NAME"
    playbook redeploy.log
    status=$?
    bundle=$first_bundle
    touch "$stop_file"
    wait "$loop_pid"
    log "redeploy: exit status $status after $((SECONDS - t0))s"
    sed -n '/^PLAY RECAP/,$p' "$work/redeploy.log" | sed 's/^/    | /'
    grep -E '^(TASK|changed:)' "$work/redeploy.log" | grep -B1 '^changed:' | grep '^TASK' | sed 's/^/    | changed: /'
    sed 's/^/    | loop: /' "$work/request-loop.log" | tail -n 20
    local summary requests failures changed_total
    summary=$(tail -n 1 "$work/request-loop.log")
    requests=$(sed -nE 's/^requests=([0-9]+) .*/\1/p' <<< "$summary")
    failures=$(sed -nE 's/.* failed=([0-9]+) .*/\1/p' <<< "$summary")
    changed_total=$(recap "$work/redeploy.log" | awk '{ s += $3 } END { print s + 0 }')
    figures[redeploy-$RELEASE]="$summary; playbook $((SECONDS - t0))s, changed=$changed_total"
    check "redeploy: the playbook of the changed design succeeds on every machine" every_machine_recap "$work/redeploy.log" 1
    expect "redeploy: ansible-playbook exits 0" "$status" "exit status $status"
    expect "redeploy under load: ${failures:-?} of ${requests:-?} requests failed" \
        "$([ -n "$requests" ] && [ "$requests" -ge 20 ] && [ "$failures" = 0 ]; echo $?)" "$summary"
    instances+=("instance3 app2 8003")
    check "HAProxy sees the three instances UP" wait_until 60 haproxy_up
    after=$(pids_of_programs)
    printf '%s\n' "$after" | sed 's/^/    | after: /'
    local line host program pid now restarted=() kept=()
    while read -r host program pid; do
        now=$(awk -v h="$host" -v p="$program" '$1 == h && $2 == p { print $3 }' <<< "$after")
        if [ "$now" = "$pid" ]; then kept+=("$host/$program"); else restarted+=("$host/$program"); fi
    done <<< "$before"
    log "redeploy: kept ${kept[*]}; restarted ${restarted[*]}"
    # app2's memmon watches its instances by name: with instance3 there, its command
    # changed, and supervisor restarts it; every other watchdog keeps its process.
    expect "only instance1 (its threads changed) and app2's memmon (it now watches instance3 too) restarted; nginx, Varnish, HAProxy, memcached, instance2 and the other watchdogs kept their processes" \
        "$([ "$(printf '%s\n' "${restarted[@]}" | sort | tr '\n' ' ')" = "app1/instance1 app2/memmon " ]; echo $?)" "restarted: ${restarted[*]:-nothing}"
    expect "instance3 runs on app2" "$(grep -q '^app2 instance3 ' <<< "$after"; echo $?)" "not running"
    check "the site answers through nginx after the redeploy" served_by_plone "$site_url/"

    # And once more: the changed design deployed again changes nothing.
    bundle="$work/changed/$BUNDLE_NAME"
    playbook after-redeploy.log
    bundle=$first_bundle
    changed_total=$(recap "$work/after-redeploy.log" | awk '{ s += $3 } END { print s + 0 }')
    check "the changed design, deployed again: changed=0 on every machine (total changed=$changed_total)" \
        every_machine_recap "$work/after-redeploy.log" 0
}

# only_design_listeners HOST: every TCP listener of HOST beyond loopback is a component of
# HOST on the address the design gives it (a wildcard for a wildcard), or sshd's port 22.
only_design_listeners() {
    local host=$1 expected address bad=0
    expected=" $(json "' '.join(
        (('*' if c['address'] in ('0.0.0.0', '::') else ('127.0.0.1' if c['address'] == 'localhost' else c['address']))
         + ':' + str(p))
        for c in d['components'] if c['host'] == '$host'
        for k, p in c['settings'].items() if k in ('port', 'http_port', 'https_port', 'stats_port'))
        + ''.join(' ' + next(h['address'] for h in d['hosts'] if h['id'] == c['host']) + ':'
                  + str(c['settings'].get('purge_port', 8101))
                  for c in d['components'] if c['host'] == '$host' and c['kind'] == 'varnish')") "
    while read -r address; do
        case "${address%:*}" in 127.*|"[::1]"|"[::ffff:127."*) continue ;; esac
        echo "$address"
        [ "${address##*:}" = 22 ] && continue
        local wildcard="*:${address##*:}"
        case "${address%:*}" in 0.0.0.0|"[::]"|"*") address=$wildcard ;; esac
        [[ $expected == *" $address "* ]] || { echo "  ^ not in the design: $expected"; bad=1; }
    done < <(netns_exec "$host" ss -Hltn | awk '{ print $4 }')
    return "$bad"
}

# reachability: every listener of the design beyond loopback, tried from the client (a
# visitor) and from the web machine: open exactly where the design sends to it (nginx's
# ports to the public), closed everywhere else (each machine's firewall).
reachability() {
    local host addr port client_open web_open what
    declare -A client_bad=() web_bad=() tried=()
    while read -r host addr port client_open web_open what; do
        tried[$host]="${tried[$host]:-}$port "
        if port_answers client "$addr" "$port"; then
            [ "$client_open" = yes ] || client_bad[$host]="${client_bad[$host]:-}$what:$port answers; "
        else
            [ "$client_open" = no ] || client_bad[$host]="${client_bad[$host]:-}$what:$port closed; "
        fi
        [ "$host" = "$web" ] && continue
        if port_answers "$web" "$addr" "$port"; then
            [ "$web_open" = yes ] || web_bad[$host]="${web_bad[$host]:-}$what:$port answers; "
        else
            [ "$web_open" = no ] || web_bad[$host]="${web_bad[$host]:-}$what:$port closed; "
        fi
    done < <("$PY" - "$design" "$web" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
web = sys.argv[2]
hosts = {h["id"]: h["address"] for h in d["hosts"]}
loop = lambda a: a in ("localhost", "::1") or a.startswith("127.")
ports = {"nginx": ["http_port", "https_port"], "varnish": ["port", "purge_port"],
         "haproxy": ["port", "stats_port"], "zope": ["port"], "database": ["port"],
         "memcached": ["port"], "supervisor": ["port"]}
by_id = {c["id"]: c for c in d["components"]}
instances = [c for c in d["components"] if c["kind"] == "zope"]
for c in d["components"]:
    for field in ports[c["kind"]]:
        port = c["settings"].get(field, 8101 if field == "purge_port" else None)
        address = c["address"]
        if field == "purge_port" and any(i["host"] != c["host"] for i in instances):
            address = hosts[c["host"]]
        if loop(address):
            continue
        if address in ("0.0.0.0", "::"):
            address = hosts[c["host"]]
        if field == "purge_port":
            senders = [i for i in instances]
        elif field == "stats_port" or c["kind"] == "supervisor":
            senders = []
        else:
            senders = [by_id[x["from"]] for x in d["connections"] if x["to"] == c["id"]]
        from_web = any(s["host"] == web for s in senders)
        public = c["kind"] == "nginx"
        print(c["host"], address, port, "yes" if public else "no",
              "yes" if from_web or public else "no", c["id"])
PY
)
    for host in "${hosts[@]}"; do
        [ -n "${tried[$host]:-}" ] || continue
        expect "$host: from a client on the network, only what the design opens to the public answers (tried ${tried[$host]})" \
            "$([ -z "${client_bad[$host]:-}" ]; echo $?)" "${client_bad[$host]:-}"
        [ "$host" = "$web" ] && continue
        expect "$host: from $web, only what $web sends to answers (tried ${tried[$host]})" \
            "$([ -z "${web_bad[$host]:-}" ]; echo $?)" "${web_bad[$host]:-}"
    done
}

haproxy_up() {
    on "$web" curl -s --max-time 5 "http://127.0.0.1:$stats_port/;csv" |
        awk -F, -v n="${#instances[@]}" '$1 == "instances" && $2 != "BACKEND" && $2 != "FRONTEND" && $18 ~ /^UP/ { up++ } END { print up " of " n " servers UP"; exit up != n }'
}

all_running_on() {
    on "$1" bash -c "cd $INSTALL_DIR && out=\$(supervisorctl -c etc/supervisord.conf status) ; echo \"\$out\"; [ -n \"\$out\" ] && ! grep -qv RUNNING <<< \"\$out\""
}

created_once() {
    local n=0 host
    for host in "${hosts[@]}"; do
        on "$host" test -f "$INSTALL_DIR/var/site-created" && n=$((n + 1))
    done
    echo "created from $n machine(s)"
    [ "$n" = 1 ]
}

require_root tests/stack/ansible.sh "it boots machines and makes network namespaces"

# The default design on each release asked for (both when none is): Debian 12 as the
# design says, Debian 13 the same design with only the platform changed (format version 3).
designs=()
[ $# -gt 0 ] || set -- bookworm trixie
for arg in "$@"; do
    case "$arg" in
        bookworm) designs+=("$here/ansible-design.json") ;;
        trixie)
            mkdir -p "$root/target"
            "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["version"] = 3
d["settings"]["platform"] = "debian-13"
json.dump(d, open(sys.argv[2], "w"), indent=2)' "$here/ansible-design.json" "$root/target/ansible-design-debian-13.json"
            designs+=("$root/target/ansible-design-debian-13.json") ;;
        *) designs+=("$arg") ;;
    esac
done
netns_sweep_stale
check "the CLI is built" bash -c "cd '$root' && cargo build -q -p stackwright" || exit 1
check "the pinned ansible-core is installed (scripts/setup.sh test)" "$ANSIBLE_BIN/ansible-playbook" --version || exit 1
for d in "${designs[@]}"; do
    deploy "$d"
    keep_logs
    machines_down_all
    remove_in_background "$work"
    work=""
done

for k in "${!figures[@]}"; do log "figure: $k: ${figures[$k]}"; done
log "finished in $(seconds_since "$start_time")s"
summary_printed=1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
