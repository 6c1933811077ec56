#!/usr/bin/env bash
# Renders every fixture design, plus designs made by random valid edits of the default,
# and checks each generated file with the real daemon's own checker:
#   nginx -t, haproxy -c (warnings fatal), varnishd -C, nft -c, supervisor's option parser,
#   Zope's config parser (and RelStorage's for zodbpack.conf).
# Prints one line per check, the failures with the daemon's message, and a last line
# "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=$root/target/config-check
packages=core/templates/python-packages.txt
# The Zope checker's venv, outside the clone (built once per package set and Python; a
# fresh clone does not download Plone again).
cache=${STACKWRIGHT_CACHE:-/var/cache/stackwright}
venv=$cache/zope-venv/$( (cat "$packages"; /usr/bin/python3 --version) | sha256sum | cut -c1-12)
here=$root/tests/daemons

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n%s\n' "$1" "$2" | sed '3,$s/^/      /'; }

# check NAME COMMAND...: runs a checker, records its verdict with its output.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(printf '%s' "$out" | tail -n 15)"; fi
}

# zope_verdicts LABEL PYTHON CHECKER PASSWORD FILE...: one Python start checks all of a
# folder's Zope files; each file counts once: passed on its "ok" line, failed on its "FAIL"
# line, and failed too when the checker gave it no verdict (a checker that cannot start,
# or stops half way, fails every file it did not judge).
zope_verdicts() {
    local label=$1 python=$2 checker=$3 password=$4 out conf verdict
    shift 4
    out=$("$python" "$checker" "$password" "$@" 2>&1)
    for conf in "$@"; do
        verdict=$(grep -m1 -E "^(ok   |FAIL )$conf(\$|: )" <<<"$out")
        case $verdict in
            "ok   "*) pass "$label/$conf: Zope" ;;
            "FAIL "*) fail "$label/$conf: Zope" "${verdict#FAIL }" ;;
            *) fail "$label/$conf: Zope" "no verdict: the checker did not judge it: $(tail -n 5 <<<"$out")" ;;
        esac
    done
}

# The harness itself: a Zope checker that cannot run fails each file (it used to pass
# them all, by counting only the lines a running checker prints).
selftest=$( passed=0 failed=0
    zope_verdicts selftest /bin/false unused secret etc/instance1/zope.conf etc/zodbpack.conf >/dev/null
    echo "$passed $failed" )
if [ "$selftest" = "0 2" ]; then
    pass "harness: a Zope checker that cannot run fails each file"
else
    fail "harness: a Zope checker that cannot run fails each file" "counted $selftest (passed failed), expected 0 2"
fi

# supervisor's parser looks up each program's user. Debian's packages create the
# daemons' users (installed here by scripts/setup.sh); the bundle's bin/setup creates the
# instances' own, as it does here.
if ! id -u plone >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin plone ||
        { echo "cannot create the system user plone (as bin/setup does; run as root)"; echo "0 passed, 1 failed"; exit 1; }
fi

# The Zope checker runs in a venv with exactly the bundle's packages.
if ! cmp -s "$packages" "$venv/.packages" 2>/dev/null; then
    echo "building $venv from $packages (about a minute)"
    # Built in place (a venv cannot move); .packages, written last, marks it complete.
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    /usr/bin/python3 -m venv "$venv" &&
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: -r "$packages" &&
        cp "$packages" "$venv/.packages" || { rm -rf "$venv"; echo "cannot build the Zope venv"; echo "0 passed, 1 failed"; exit 1; }
    # Older package sets' venvs go.
    find "$(dirname "$venv")" -mindepth 1 -maxdepth 1 ! -path "$venv" -exec rm -rf {} +
fi

cargo build --quiet -p stackwright || { echo "0 passed, 1 failed"; exit 1; }
cli=$root/target/debug/stackwright

rm -rf "$work"
mkdir -p "$work/designs"
cp core/tests/fixtures/*.json "$work/designs/"
# Debian 13's nginx, HAProxy and Varnish, in a root file system of their own (built once and
# cached outside the clone, like the test machines' disks): a design for Debian 13 is
# checked with them. Without it, every check of such a design fails.
checker_trixie=$("$root/tests/stack/machine-image.sh" --checker trixie 2>"$work/checker.log" | tail -n 1) || checker_trixie=""
[ -x "$checker_trixie/usr/sbin/nginx" ] || { checker_trixie=""; cat "$work/checker.log"; }
# Designs made by random valid edits of the default (the property test writes them).
# A failing case prints its design and diagnostics; the log keeps them for this suite's output.
if ! STACKWRIGHT_DESIGNS_OUT="$work/designs" cargo test --quiet -p stackwright-core --test random_designs \
    >"$work/random-designs.log" 2>&1; then
    fail "random designs" "$(tail -n 80 "$work/random-designs.log")"
fi

json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# The checks of one folder (or one ansible/ folder) run as a job, as many at once as there
# are cores: each checker is one process that keeps one core busy. A job writes its lines
# and its counts to its own log; collect prints the logs in the order the jobs began.
job_logs=()
job_pids=()
job() {
    local log
    log=$work/jobs/$(printf '%03d' "${#job_logs[@]}").log
    mkdir -p "$work/jobs"
    local live
    while mapfile -t live < <(live_jobs) && [ "${#live[@]}" -ge "$(nproc)" ]; do wait -n "${live[@]}"; done
    (
        passed=0 failed=0
        "$@"
        printf 'COUNTS %d %d\n' "$passed" "$failed"
    ) > "$log" 2>&1 &
    job_pids+=("$!")
    job_logs+=("$log")
}
# live_jobs: the jobs still running, a PID a line (wait -n is given only these: a PID it
# has already reaped is "no such job").
live_jobs() {
    local pid
    for pid in "${job_pids[@]}"; do kill -0 "$pid" 2>/dev/null && echo "$pid"; done
}
collect() {
    local log p f
    wait "${job_pids[@]}"
    for log in "${job_logs[@]}"; do
        sed '/^COUNTS /d' "$log"
        read -r _ p f < <(grep '^COUNTS ' "$log" | tail -1) || { p=0 f=1; echo "FAIL  a job gave no counts: $log"; }
        passed=$((passed + p))
        failed=$((failed + f))
    done
    job_logs=()
    job_pids=()
}

# with_release RELEASE FOLDER COMMAND-LINE: COMMAND-LINE run in FOLDER with RELEASE's
# daemons: this machine's own for bookworm (Debian 12, which it is); for trixie, in a copy
# of FOLDER inside the root file system with Debian 13's nginx, HAProxy and Varnish
# (tests/stack/machine-image.sh --checker), through chroot.
with_release() {
    local release=$1 folder=$2 line=$3 copy status
    case "$release" in
        bookworm) (cd "$folder" && sh -c "$line") ;;
        trixie)
            [ -n "$checker_trixie" ] || { echo "no Debian 13 root file system to check in"; return 1; }
            copy=/check/$(basename "$folder")-$BASHPID-$RANDOM
            mkdir -p "$checker_trixie$copy" && cp -a "$folder/." "$checker_trixie$copy/" || return 1
            chroot "$checker_trixie" sh -c "cd '$copy' && $line"
            status=$?
            rm -rf "$checker_trixie$copy"
            return "$status" ;;
        *) echo "no daemons of release $release to check with"; return 1 ;;
    esac
}

# check_folder LABEL FOLDER DESIGN: every generated file of one folder, by its daemon's checker.
check_folder() {
    local label=$1 folder=$2 design=$3 db_password sup_password cert key rotation confs release
    cd "$folder" || { fail "$label" "no folder $folder"; return; }
    db_password=$(json "$design" "next(c for c in d['components'] if c['kind']=='database')['settings']['password']")
    sup_password=$(json "$design" "next(c for c in d['components'] if c['kind']=='supervisor')['settings']['password']")
    if [ -f etc/nginx.conf ]; then
        # The certificate the bundle's CERTIFICATES.md makes, at the paths nginx expects.
        cert=$(json "$design" "next(c for c in d['components'] if c['kind']=='nginx')['settings']['certificate']")
        key=$(json "$design" "next(c for c in d['components'] if c['kind']=='nginx')['settings']['certificate_key']")
        mkdir -p "$(dirname "$cert")" "$(dirname "$key")"
        openssl req -new -x509 -nodes -days 2 -newkey rsa:2048 -subj /CN=check -out "$cert" -keyout "$key" 2>/dev/null
    fi
    # nginx, HAProxy and Varnish of the design's own Debian release read its files.
    release=$(json "$design" "{'debian-12': 'bookworm', 'debian-13': 'trixie'}[d['settings']['platform']]")
    if [ -f etc/nginx.conf ]; then
        check "$label/etc/nginx.conf: nginx -t ($release)" with_release "$release" "$folder" \
            'nginx -t -q -p "$(pwd)/" -e var/nginx/error.log -c etc/nginx.conf'
    fi
    if [ -f etc/haproxy.cfg ]; then
        check "$label/etc/haproxy.cfg: haproxy -c -dW ($release)" with_release "$release" "$folder" \
            'haproxy -c -dW -f etc/haproxy.cfg'
    fi
    if [ -f etc/varnish.vcl ]; then
        check "$label/etc/varnish.vcl: varnishd -C ($release)" with_release "$release" "$folder" \
            'varnishd -C -n "$(pwd)/var/varnish" -f "$(pwd)/etc/varnish.vcl" >/dev/null 2>var/vcc.log || { cat var/vcc.log; exit 1; }'
    fi
    for rotation in etc/logrotate/*; do
        [ -f "$rotation" ] || continue
        # logrotate's own parser, in debug mode (nothing is rotated), on a state
        # file of its own; it refuses a configuration that is not root's.
        check "$label/$rotation: logrotate -d" sh -c "out=\$(logrotate -d -s '$folder/var/logrotate.state' '$rotation' 2>&1); status=\$?; printf '%s\n' \"\$out\"; [ \$status -eq 0 ] && ! printf '%s' \"\$out\" | grep -qi '^error'"
    done
    if [ -f etc/firewall.nft ]; then
        # nftables' own parser and the kernel's checks, in a network namespace of its own.
        check "$label/etc/firewall.nft: nft -c" unshare --net nft -c -f etc/firewall.nft
    fi
    # A machine with only the database runs no supervisor (MariaDB is Debian's service).
    if [ -f etc/supervisord.conf ]; then
        check "$label/etc/supervisord.conf: supervisor" /usr/bin/python3 "$here/supervisor_check.py" etc/supervisord.conf "$sup_password"
    fi
    if [ -f etc/backup.cnf ]; then
        # MariaDB's own reader of option files gives back the design's password exactly.
        check "$label/etc/backup.cnf: my_print_defaults reads the design's password" sh -c \
            'my_print_defaults --defaults-file=etc/backup.cnf client | grep -qxF -- "--password=$1"' sh "$db_password"
    fi
    local script
    for script in bin/*; do
        [ -f "$script" ] || continue
        # Each script parsed by the shell its first line names (nothing runs).
        check "$label/$script: $(head -n 1 "$script" | cut -c3-) -n" sh -c '$(head -n 1 "$1" | cut -c3-) -n "$1"' sh "$script"
    done
    mapfile -t confs < <(ls etc/*/zope.conf etc/zodbpack.conf 2>/dev/null)
    if [ "${#confs[@]}" -gt 0 ]; then
        zope_verdicts "$label" "$venv/bin/python" "$here/zope_check.py" "$db_password" "${confs[@]}"
    fi
}

for design in "$work"/designs/*.json; do
    fixture=$(basename "$design" .json)
    out=$work/$fixture
    if ! err=$("$cli" render "$design" --out "$out" 2>&1); then
        fail "$fixture: render" "$err"
        continue
    fi
    if [ -d "$out/hosts" ]; then folders=("$out"/hosts/*); else folders=("$out"); fi
    for folder in "${folders[@]}"; do
        job check_folder "$fixture${folder#"$out"}" "$folder" "$design"
    done
done
collect

# users_have_password SOCKET USER PASSWORD SQL: the server holds the design's password for
# USER at every host the SQL creates it for (other designs' users share the server).
users_have_password() {
    local query hosts want
    query=$(python3 - "$2" "$3" <<'PY'
import sys
q = lambda s: "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
print(f"SELECT Host FROM mysql.user WHERE User = {q(sys.argv[1])}"
      f" AND authentication_string = PASSWORD({q(sys.argv[2])})")
PY
)
    hosts=$(mariadb --no-defaults -S "$1" -u root -N -e "$query" | sort) || return 1
    want=$(sed -nE "s/^CREATE USER IF NOT EXISTS '[^']*'@'([^']*)'.*/\1/p" "$4" | sort)
    echo "the password is set for: $(echo $hosts); the SQL creates the user for: $(echo $want)"
    [ -n "$want" ] && [ -z "$(comm -13 <(printf '%s\n' "$hosts") <(printf '%s\n' "$want"))" ]
}

# Each design's SQL runs on a real MariaDB (a private server on a unix socket, no
# network), and its user can then log in with the design's exact password.
sqldir=$work/mariadb
mkdir -p "$sqldir"
if mariadb-install-db --no-defaults --datadir="$sqldir/data" --user=root --skip-test-db >"$sqldir/install.log" 2>&1; then
    mariadbd --no-defaults --datadir="$sqldir/data" --socket="$sqldir/sock" --skip-networking \
        --pid-file="$sqldir/pid" --log-error="$sqldir/error.log" --user=root &
    mariadb_pid=$!
    trap 'kill "$mariadb_pid" 2>/dev/null; wait "$mariadb_pid" 2>/dev/null' EXIT
    for _ in $(seq 1 100); do
        mariadb-admin --no-defaults -S "$sqldir/sock" -u root ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    for design in "$work"/designs/*.json; do
        fixture=$(basename "$design" .json)
        # One folder, or the database machine's folder of a design on several hosts.
        sql=$(ls "$work/$fixture"/sql/create-database.sql "$work/$fixture"/hosts/*/sql/create-database.sql 2>/dev/null | head -1)
        [ -n "$sql" ] || { fail "$fixture: sql/create-database.sql" "no folder has it"; continue; }
        db=$(json "$design" "next(c for c in d['components'] if c['kind']=='database')['settings']['name']")
        user=$(json "$design" "next(c for c in d['components'] if c['kind']=='database')['settings']['user']")
        password=$(json "$design" "next(c for c in d['components'] if c['kind']=='database')['settings']['password']")
        check "$fixture${sql#"$work/$fixture"}: mariadb" sh -c 'mariadb --no-defaults -S "$1" -u root < "$2" && mariadb --no-defaults -S "$1" -u root < "$2"' sh "$sqldir/sock" "$sql"
        if grep -q "@'localhost' IDENTIFIED" "$sql"; then
            check "$fixture: the database user logs in with the design's password" \
                env MYSQL_PWD="$password" mariadb --no-defaults -S "$sqldir/sock" -u "$user" -e 'CREATE TABLE IF NOT EXISTS probe (x int)' "$db"
        else
            # Users for other machines' addresses only: no login from here can match them.
            check "$fixture: every user the SQL creates has the design's password" \
                users_have_password "$sqldir/sock" "$user" "$password" "$sql"
        fi
    done
else
    fail "mariadb-install-db" "$(tail -5 "$sqldir/install.log")"
fi

# Each fixture's ansible/ folder: ansible-core (pinned, scripts/setup.sh) reads the playbook
# and the inventory, which names every machine with the design's address and role.
ansible_bin=$root/target/ansible-venv/bin
inventory_matches() {   # DESIGN INVENTORY-JSON
    python3 - "$1" "$2" <<'PY'
import json, sys
design = json.load(open(sys.argv[1]))
inventory = json.load(open(sys.argv[2]))
plain = lambda v: v.get("__ansible_unsafe", v) if isinstance(v, dict) else v
hostvars = inventory["_meta"]["hostvars"]
members = lambda g: set(inventory.get(g, {}).get("hosts", []))
roles = {"nginx": "nginx", "varnish": "varnish", "haproxy": "haproxy", "memcached": "memcached",
         "zope": "zope", "database": "database"}
bad = []
for h in design["hosts"]:
    kinds = {c["kind"] for c in design["components"] if c["host"] == h["id"]} - {"supervisor"}
    if not kinds:
        continue
    if h["id"] not in hostvars:
        bad.append(f"{h['id']} is not in the inventory")
        continue
    if plain(hostvars[h["id"]]["ansible_host"]) != h["address"]:
        bad.append(f"{h['id']}: ansible_host {hostvars[h['id']]['ansible_host']!r}, not {h['address']!r}")
    for kind, group in roles.items():
        if (kind in kinds) != (h["id"] in members(group)):
            bad.append(f"{h['id']}: runs {sorted(kinds)} but group {group} is {sorted(members(group))}")
print("\n".join(bad) or f"{len(hostvars)} machines, each with its address and roles")
sys.exit(1 if bad else 0)
PY
}
# check_ansible FIXTURE DIR DESIGN: the playbooks' syntax, and the inventory's machines.
check_ansible() {
    local fixture=$1 dir=$2 design=$3
    local playbook
    for playbook in site.yml rolling-restart.yml; do
        check "$fixture/ansible/$playbook: ansible-playbook --syntax-check" \
            sh -c 'cd "$1" && "$2/ansible-playbook" --syntax-check "$3"' sh "$dir" "$ansible_bin" "$playbook"
    done
    if (cd "$dir" && "$ansible_bin/ansible-inventory" --list > inventory.json 2> inventory.err); then
        check "$fixture/ansible/inventory.yml: ansible-inventory, every machine with its address and roles" \
            inventory_matches "$design" "$dir/inventory.json"
    else
        fail "$fixture/ansible/inventory.yml: ansible-inventory --list" "$(cat "$dir/inventory.err")"
    fi
}
for design in core/tests/fixtures/*.json; do
    fixture=$(basename "$design" .json)
    dir=$work/$fixture/ansible
    [ -d "$dir" ] || { fail "$fixture: ansible/" "no ansible/ folder"; continue; }
    job check_ansible "$fixture" "$dir" "$design"
done
collect

# The zip opens with unzip and with Python's zipfile, and keeps scripts executable.
zipdir=$work/zip
mkdir -p "$zipdir"
if "$cli" bundle core/tests/fixtures/default.json --out "$zipdir/bundle.zip" 2>/dev/null; then
    check "zip: unzip -t" unzip -tq "$zipdir/bundle.zip"
    check "zip: python zipfile" python3 -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); bad = z.testzip(); sys.exit(bad or 0)" "$zipdir/bundle.zip"
    check "zip: unpacked scripts are executable" sh -c "cd '$zipdir' && unzip -q -o bundle.zip && test -x plone-deployment/bin/setup && test -x plone-deployment/bin/create-site && test ! -x plone-deployment/etc/nginx.conf && test -d plone-deployment/var/log"
else
    fail "zip: stackwright bundle" "the default design did not bundle"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
