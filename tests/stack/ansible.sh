#!/usr/bin/env bash
# Deploys a design on three machines with the bundle's own Ansible playbook, as a user would.
#
#   tests/stack/ansible.sh [DESIGN.json]     (as root; default tests/stack/ansible-design.json:
#                                             web tier on web, an instance and the database
#                                             on app1, an instance on app2)
#
# Each machine of the design is a network namespace (tests/stack/netns.sh) running its own
# sshd, so Ansible connects over SSH as it does in production. The namespaces share one file
# system: each sshd runs in a mount namespace of its own where /srv, /etc/mysql,
# /var/lib/mysql and /run/mysqld are private folders, so every machine has its own install
# folder and the database machine its own MariaDB (initialised and started by the playbook).
# The controller is a namespace of its own on the same bridge. The Debian packages are
# already installed (the playbook's apt task finds nothing missing); pip gets the wheels
# from target/wheelhouse (-e stackwright_pip_find_links), as the machines have no route to
# the index. systemd does not run here: the playbook starts supervisord directly.
#
# It builds the bundle with the CLI, unzips it, runs the README's two lines (with the test's
# connection settings), checks the chain through nginx and across machines, runs the
# playbook again and checks that no task changed anything on any machine. Last line:
# "N passed, N failed". Logs: target/ansible-logs/.
set -uo pipefail
exec </dev/null
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/stack/netns.sh"

design=${1:-$root/tests/stack/ansible-design.json}
CLI="$root/target/debug/stackwright"
ANSIBLE_BIN="$root/target/ansible-venv/bin"
PY=/usr/bin/python3
LOGS="$root/target/ansible-logs"
PLONE_MARKER='<meta name="generator" content="Plone'
CONTROLLER_ADDR=10.77.0.2

passed=0
failed=0
start_time=$EPOCHREALTIME
work=""
INSTALL_DIR=""
summary_printed=""
declare -A sshd_pid=()

. "$root/tests/stack/report.sh"

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

# on HOST COMMAND...: runs COMMAND on a machine as Ansible's commands run there: in the
# namespace and mount namespace of that machine's sshd.
on() {
    local host=$1
    shift
    nsenter --target "${sshd_pid[$host]}" --mount --net -- "$@"
}

# from_controller COMMAND...: runs COMMAND in the controller's namespace.
from_controller() { netns_exec controller "$@"; }

cleanup() {
    local status=$?
    if [ -n "$work" ]; then
        mkdir -p "$LOGS"
        for host in "${!sshd_pid[@]}"; do
            on "$host" sh -c "cd $INSTALL_DIR 2>/dev/null && tar -cf - var/log 2>/dev/null" \
                > "$LOGS/$host-var-log.tar" 2>/dev/null
        done
        cp "$work"/*.log "$LOGS/" 2>/dev/null
    fi
    netns_down_all
    if [ -n "$work" ]; then
        rm -rf "$work"
        log "removed $work"
    fi
    if [ -z "$summary_printed" ]; then
        fail "the test ran to its end" "interrupted (status $status)"
        echo "$passed passed, $failed failed"
        exit 1
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

require_root tests/stack/ansible.sh "it makes network namespaces"

# --- the bundle, as a user gets it ---------------------------------------------------------

work=$(mktemp -d /tmp/stackwright-ansible.XXXXXX)
rm -rf "$LOGS"
mkdir -p "$LOGS"
check "the CLI is built" bash -c "cd '$root' && cargo build -q -p stackwright" || exit 1
check "the pinned ansible-core is installed (scripts/setup.sh test)" "$ANSIBLE_BIN/ansible-playbook" --version || exit 1
BUNDLE_NAME=$(json "d['settings']['name']")
INSTALL_DIR=$(json "d['settings']['install_dir'].rstrip('/')")
check "stackwright bundle $(basename "$design")" "$CLI" bundle "$design" --out "$work/$BUNDLE_NAME.zip" || exit 1
check "unzip the bundle" unzip -q "$work/$BUNDLE_NAME.zip" -d "$work/controller" || exit 1
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
    "${ansible_lines[0]:-}" "${ansible_lines[1]:-}" "${#ansible_lines[@]}" || exit 1

# The wheels of the instances' requirements.txt, filled once from the index (as the drill does).
requirements=$(ls "$bundle"/hosts/*/requirements.txt | head -1)
wheelhouse="$root/target/wheelhouse/$(grep -v '^#' "$requirements" | sha256sum | cut -c1-16)"
if [ ! -f "$wheelhouse/.complete" ]; then
    pip_venv="$root/target/wheelhouse/pip-venv"
    [ -x "$pip_venv/bin/pip" ] || "$PY" -m venv "$pip_venv"
    check "fill the wheelhouse $wheelhouse from the index (once)" \
        timeout 900 "$pip_venv/bin/pip" download -q --only-binary=:all: -r "$requirements" -d "$wheelhouse" || exit 1
    touch "$wheelhouse/.complete"
fi

# --- machines: namespaces with sshd ---------------------------------------------------------

netns_sweep_stale
mapfile -t hosts < <(json "'\n'.join(h['id'] for h in d['hosts'])")
declare -A address=()
for host in "${hosts[@]}"; do
    address[$host]=$(json "next(h['address'] for h in d['hosts'] if h['id'] == '$host')")
done
netns_up controller "$CONTROLLER_ADDR" || { fail "namespace controller"; exit 1; }
for host in "${hosts[@]}"; do
    netns_up "$host" "${address[$host]}" || { fail "namespace $host"; exit 1; }
done

ssh_dir="$work/ssh"
mkdir -p "$ssh_dir"
ssh-keygen -q -t ed25519 -N '' -C stackwright-test -f "$ssh_dir/id_ed25519"
cp "$ssh_dir/id_ed25519.pub" "$ssh_dir/authorized_keys"
mkdir -p /run/sshd /run/mysqld

# start_machine HOST: private folders over the paths a machine writes, then sshd -D.
start_machine() {
    local host=$1 dir="$work/machines/$1"
    mkdir -p "$dir/srv" "$dir/etc-mysql" "$dir/var-lib-mysql" "$dir/run-mysqld"
    chmod 755 "$dir" "$dir/srv"
    cp -a /etc/mysql/. "$dir/etc-mysql/"
    chown mysql:mysql "$dir/var-lib-mysql" "$dir/run-mysqld"
    ssh-keygen -q -t ed25519 -N '' -f "$dir/ssh_host_ed25519_key"
    cat > "$dir/sshd_config" <<EOF
ListenAddress ${address[$host]}:22
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $ssh_dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
    netns_exec "$host" unshare --mount --propagation private -- sh -c '
        dir=$1
        mount --bind "$dir/srv" /srv &&
        mount --bind "$dir/etc-mysql" /etc/mysql &&
        mount --bind "$dir/var-lib-mysql" /var/lib/mysql &&
        mount --bind "$dir/run-mysqld" /run/mysqld &&
        exec /usr/sbin/sshd -D -e -f "$dir/sshd_config"' sh "$dir" > "$work/sshd-$host.log" 2>&1 &
}
for host in "${hosts[@]}"; do
    start_machine "$host"
    check "sshd on $host (${address[$host]}:22), in a mount namespace of its own" \
        netns_wait_port controller "${address[$host]}" 22 30 || exit 1
    # Its pid file: the way into the machine's namespaces for the checks (see `on`).
    sshd_pid[$host]=$(cat "$work/machines/$host/sshd.pid")
done

export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_PRIVATE_KEY_FILE="$ssh_dir/id_ed25519"
export ANSIBLE_LOCAL_TEMP="$work/ansible-local" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
export PATH="$ANSIBLE_BIN:$PATH"

# playbook LOG: the README's two lines, from the controller, with the test's wheel folder.
playbook() {
    local line="${ansible_lines[1]} -e stackwright_pip_find_links=$wheelhouse"
    log "run (controller, in $bundle): ${ansible_lines[0]} && $line"
    (cd "$bundle" && timeout 1200 ip netns exec "$(netns_name controller)" bash -c "${ansible_lines[0]} && $line") \
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
    local lines host ok changed unreachable failed bad=0
    lines=$(recap "$1")
    printf '%s\n' "$lines"
    for host in "${hosts[@]}"; do
        grep -q "^$host " <<< "$lines" || { echo "$host is not in the recap"; bad=1; }
    done
    while read -r host ok changed unreachable failed; do
        [ "$unreachable" = 0 ] && [ "$failed" = 0 ] || { echo "$host: unreachable=$unreachable failed=$failed"; bad=1; }
        if [ "$2" = 0 ] && [ "$changed" != 0 ]; then echo "$host: changed=$changed"; bad=1; fi
    done <<< "$lines"
    return "$bad"
}

# --- first run -------------------------------------------------------------------------------

t0=$SECONDS
playbook first-run.log
status=$?
grep -E '^(PLAY|TASK|changed|fatal|failed|ok: \[|skipping)|^\s+"msg"' "$work/first-run.log" | grep -v '^ok: \[' | tail -n 200 | sed 's/^/    | /'
log "first run: exit status $status after $((SECONDS - t0))s"
if ! check "first run: every machine deployed, none failed or unreachable" every_machine_recap "$work/first-run.log" 1 ||
    [ "$status" -ne 0 ]; then
    grep -E -A12 '^fatal|^failed' "$work/first-run.log" | head -80 | sed 's/^/    | /'
    [ "$status" -ne 0 ] && fail "first run: ansible-playbook exits 0" "exit status $status"
fi

# --- the chain -------------------------------------------------------------------------------

web=$(json "next(c['host'] for c in d['components'] if c['kind'] == 'nginx')")
http_port=$(json "next(c['settings']['http_port'] for c in d['components'] if c['kind'] == 'nginx')")
https_port=$(json "next(c['settings']['https_port'] for c in d['components'] if c['kind'] == 'nginx')")
public_host=$(json "next(c['settings']['public_host'] for c in d['components'] if c['kind'] == 'nginx')")
site_url="http://${address[$web]}:$http_port"

served_by_plone() {
    local out
    out=$(from_controller curl -s --max-time 30 -w '\n%{http_code}' "$@") || return 1
    [ "${out##*$'\n'}" = 200 ] && grep -qF "$PLONE_MARKER" <<< "$out" && grep -qF "://$public_host:" <<< "$out"
}
check "the site answers through nginx on $web ($site_url/), with links to $public_host" \
    wait_until 120 served_by_plone "$site_url/"
check "and over HTTPS" served_by_plone --insecure "https://${address[$web]}:$https_port/"
varnish_header() { from_controller curl -s -o /dev/null -D - --max-time 30 "$site_url/?fresh=$RANDOM" | grep -i '^X-Varnish:'; }
check "Varnish is on the way (X-Varnish header)" varnish_header

# Each instance answers on its own machine, seen from the web machine (where HAProxy runs).
mapfile -t instances < <(json "'\n'.join(c['id'] + ' ' + c['host'] + ' ' + str(c['settings']['port']) for c in d['components'] if c['kind'] == 'zope')")
for line in "${instances[@]}"; do
    read -r id host port <<< "$line"
    check "$id answers on $host (${address[$host]}:$port), seen from $web" \
        netns_exec "$web" curl -sf -o /dev/null --max-time 30 "http://${address[$host]}:$port/"
done
haproxy_up() {
    on "$web" curl -s --max-time 5 "http://127.0.0.1:$(json "next(c['settings']['stats_port'] for c in d['components'] if c['kind'] == 'haproxy')")/;csv" |
        awk -F, -v n="${#instances[@]}" '$1 == "instances" && $2 != "BACKEND" && $2 != "FRONTEND" && $18 ~ /^UP/ { up++ } END { print up " of " n " servers UP"; exit up != n }'
}
check "HAProxy sees every instance UP" wait_until 30 haproxy_up

# memcached on the web machine holds RelStorage's cache, written by instances on other machines.
mc=$(json "next(c['address'] + ':' + str(c['settings']['port']) for c in d['components'] if c['kind'] == 'memcached')")
mc_sets=$(from_controller bash -c "exec 3<>/dev/tcp/${mc%:*}/${mc#*:} && printf 'stats\r\nquit\r\n' >&3 && tr -d '\r' <&3" | awk '$2 == "cmd_set" { print $3 }')
check "memcached ($mc) holds the instances' cache (cmd_set=${mc_sets:-none})" test "${mc_sets:-0}" -gt 0

# The database on its machine, reached from another machine as the instances' user.
db_host=$(json "next(c['host'] for c in d['components'] if c['kind'] == 'database')")
db=$(json "next(c['address'] + ' ' + str(c['settings']['port']) + ' ' + c['settings']['name'] + ' ' + c['settings']['user'] for c in d['components'] if c['kind'] == 'database')")
read -r db_addr db_port db_name db_user <<< "$db"
db_password=$(json "next(c['settings']['password'] for c in d['components'] if c['kind'] == 'database')")
for line in "${instances[@]}"; do
    read -r id host port <<< "$line"
    [ "$host" = "$db_host" ] && continue
    objects=$(MYSQL_PWD="$db_password" netns_exec "$host" mariadb -N -h "$db_addr" -P "$db_port" -u "$db_user" "$db_name" -e 'select count(*) from object_state' 2>&1)
    check "the ZODB is in MariaDB on $db_host, read from $host as $db_user ($objects objects)" test "$objects" -gt 0 2>/dev/null
    break
done

# supervisord on every machine, started directly (no systemd here), every program RUNNING.
for host in "${hosts[@]}"; do
    if on "$host" test -f "$INSTALL_DIR/etc/supervisord.conf"; then
        check "supervisor on $host: every program RUNNING" on "$host" bash -c \
            "cd $INSTALL_DIR && out=\$(supervisorctl -c etc/supervisord.conf status) ; echo \"\$out\"; [ -n \"\$out\" ] && ! grep -qv RUNNING <<< \"\$out\""
    fi
done
created_once() {
    local n=0 host
    for host in "${hosts[@]}"; do
        on "$host" test -f "$INSTALL_DIR/var/site-created" && n=$((n + 1))
    done
    echo "created from $n machine(s)"
    [ "$n" = 1 ]
}
check "the site was created once, from one machine" created_once

# --- second run: nothing changes ---------------------------------------------------------------

t0=$SECONDS
playbook second-run.log
status=$?
sed -n '/^PLAY RECAP/,$p' "$work/second-run.log" | sed 's/^/    | /'
grep -E -B2 '^changed:' "$work/second-run.log" | head -40 | sed 's/^/    | /'
log "second run: exit status $status after $((SECONDS - t0))s"
changed_total=$(recap "$work/second-run.log" | awk '{ s += $3 } END { print s + 0 }')
check "second run: changed=0 on every machine (total changed=$changed_total)" every_machine_recap "$work/second-run.log" 0
echo "second run: changed=$changed_total"
check "the site still answers through nginx" served_by_plone "$site_url/"

log "finished in $(seconds_since "$start_time")s"
summary_printed=1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
