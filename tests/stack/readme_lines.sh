# The lines of a bundle README's code blocks, run as written on the machine they are for:
# a sourced library shared by drill.sh (one machine) and multi-host.sh (a network namespace
# per machine), so both follow the READMEs the same way.
#
#   . tests/stack/readme_lines.sh
#   run_sections HOST FROM-REGEX UNTIL-REGEX    # HOST's README, those sections, in order
#   run_line HOST SECTION LINE                  # one line, on HOST
#   on_machine HOST COMMAND...                  # anything else, on HOST as the lines run
#   start_mariadb HOST / stop_mariadb           # the test's MariaDB server on HOST
#
# A line runs on its machine (host_argv) in the folder its README's `cd` lines left it in,
# with the machine's own /run/mysqld: a private mount of HOST_ROOT/run/mysqld, so Debian's
# MariaDB client and the test's server meet at Debian's default socket
# /run/mysqld/mysqld.sock, as on a real machine, without touching this machine's.
# What a test machine must replace is logged with the line, and nothing else is:
# - paths: the README's /root (where the zip is) is WORKSTATION; the install folder's parent
#   (/srv) and /etc/mysql are below the machine's own folder (host_root);
# - `apt-get update` is skipped and `apt-get install` only checks that the packages are
#   there (the test machines have no route to a package index);
# - `systemctl disable --now` is skipped (no systemd; policy-rc.d kept Debian's services
#   from starting) and `systemctl restart mariadb` starts the test's MariaDB server from the
#   machine's copy of Debian's 50-server.cnf (start_mariadb);
# - `scp -r ... root@ADDRESS:DEST` is `cp -r` (one file system), after checking ADDRESS is
#   the machine's.
#
# The sourcing script provides log, pass, fail, expect, check and seconds_since (its own
# logging and counting), and:
#   host_argv HOST               sets the array host_cmd to the prefix that runs a command
#                                on HOST (`ip netns exec NAME`, or nothing on one machine)
#   host_root HOST               the folder standing for HOST's /
#   readme_of HOST               the path of HOST's README
#   host_addr[HOST]              HOST's address (an associative array; for scp)
#   INSTALL_DIR, WORKSTATION, DB_PORT, README_OUT (a folder for each line's output)

declare -A host_cwd=() mariadb_pid_of=()
line_counter=0
last_out=""          # the output of the last line run_line ran

# machine_argv HOST COMMAND...: sets machine_cmd to the command line that runs COMMAND on
# HOST with HOST's own /run/mysqld (an array, so that `"${machine_cmd[@]}" &` records the
# pid of COMMAND itself, not of a subshell).
machine_argv() {
    local host=$1 run_dir
    shift
    run_dir="$(host_root "$host")/run/mysqld"
    mkdir -p "$run_dir" /run/mysqld
    host_argv "$host"
    machine_cmd=("${host_cmd[@]}" unshare --mount --propagation private --
        sh -c 'mount --bind "$1" /run/mysqld && shift && exec "$@"' on_machine "$run_dir" "$@")
}

# on_machine HOST COMMAND...: runs COMMAND on HOST, with HOST's own /run/mysqld.
on_machine() {
    local machine_cmd
    machine_argv "$@"
    "${machine_cmd[@]}"
}

# as_test_machine HOST LINE: LINE with the paths a test machine replaces (see above).
as_test_machine() {
    local hr line=$2 parent=${INSTALL_DIR%/*}
    hr=$(host_root "$1")
    [ -n "$parent" ] || parent=$INSTALL_DIR
    # The parent as a whole path only: "/srv" and "/srv/x", not "/srvx".
    line=$(PARENT=$parent NEW=$hr$parent perl -pe 's/(?<![\w.\/-])\Q$ENV{PARENT}\E(?=\/|\s|$|;|\x27|")/$ENV{NEW}/g' <<< "$line")
    line=${line//\/root\//"$WORKSTATION/"}
    line=${line//\/etc\/mysql\//"$hr/etc/mysql/"}
    printf '%s' "$line"
}

# run_line HOST SECTION LINE: one line of a README, run as written on HOST.
run_line() {
    local host=$1 section=$2 readme_line=$3 line cwd t0=$EPOCHREALTIME status label
    cwd=${host_cwd[$host]:-$(host_root "$host")}
    line=$(as_test_machine "$host" "$readme_line")
    label="$host: $readme_line"
    [ "$line" != "$readme_line" ] && log "$host: README line: $readme_line" && log "$host: on this test machine: $line"
    case "$line" in
        "apt-get update")
            log "skip ($host has no route to a package index): $line"; return 0 ;;
        "apt-get install "*)
            local p missing=""
            for p in $line; do
                case "$p" in apt-get|install|-*) continue ;; esac
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
            done
            expect "$host: every package of '$line' is installed" "$([ -z "$missing" ]; echo $?)" "missing:$missing"
            return ;;
        "systemctl disable --now "*)
            log "skip (no systemd here; policy-rc.d kept Debian's services from starting): $line"; return 0 ;;
        "systemctl restart mariadb")
            check "$host: $line (the test's mariadbd, from this host's 50-server.cnf)" start_mariadb "$host"
            return ;;
        "scp -r "*)
            local src dest target
            read -r _ _ src target <<< "$line"
            dest=${target#root@"${host_addr[$host]}":}
            expect "$host: scp copies to this host's address (${host_addr[$host]})" "$([ "$dest" != "$target" ]; echo $?)" "target $target"
            mkdir -p -m 755 "$(dirname "$dest")"
            check "$label (as cp -r)" cp -r "$src" "$dest"
            return ;;
        "cd "*)
            local dir
            dir=$(eval "printf '%s' ${line#cd }")
            [[ $dir = /* ]] || dir="$cwd/$dir"
            host_cwd[$host]=$dir
            expect "$label" "$([ -d "$dir" ]; echo $?)" "no such folder"
            return ;;
    esac
    local limit=300
    case "$line" in bin/setup*) limit=1500 ;; bin/create-site*|*zodbpack*) limit=600 ;; esac
    local out
    mkdir -p "$README_OUT"
    out="$README_OUT/$host-$((++line_counter)).out"
    log "run on $host in $cwd: $line"
    on_machine "$host" timeout "$limit" bash -c 'cd "$1" && eval "$2"' run_line "$cwd" "$line" > "$out" 2>&1
    status=$?
    sed 's/^/    | /' "$out" | tail -n 30
    expect "$label ($(seconds_since "$t0")s)" "$([ "$status" -eq 0 ]; echo $?)" "exit status $status"
    last_out=$out
    return "$status"
}

# readme_lines HOST: SECTION <tab> HOST <tab> LINE for each line of HOST's README's blocks.
readme_lines() { /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/readme_blocks.py" "$(readme_of "$1")" "$1"; }

# run_sections HOST FROM-REGEX UNTIL-REGEX: the lines of HOST's README from the first
# section matching FROM to the last matching UNTIL, in order; stops at the first failure.
run_sections() {
    local host=$1 from=$2 until=$3 on=0 section block_host line
    while IFS=$'\t' read -r section block_host line; do
        if [ "$on" = 0 ] && [[ $section =~ $from ]]; then on=1; fi
        [ "$on" = 0 ] && continue
        if [ "$on" = 2 ] && ! [[ $section =~ $until ]]; then break; fi
        [[ $section =~ $until ]] && on=2
        # Its own stdin: supervisord and others must not eat the README's next lines.
        run_line "$block_host" "$section" "$line" < /dev/null || return 1
    done < <(readme_lines "$host")
    [ "$on" != 0 ] || { fail "$host's README has a section matching '$from'"; return 1; }
}

# start_mariadb HOST: Debian's MariaDB server as the test runs it on HOST: its datadir
# HOST_ROOT/var/lib/mysql, the options of HOST_ROOT/etc/mysql/mariadb.conf.d/50-server.cnf
# (a copy of Debian's, put there by the test; a README may edit it), Debian's default
# socket /run/mysqld/mysqld.sock (HOST's own) and the design's port.
start_mariadb() {
    local host=$1 hr
    hr=$(host_root "$host")
    mkdir -p "$hr/var/lib/mysql" "$hr/var/log/mysql"
    if [ ! -d "$hr/var/lib/mysql/mysql" ]; then
        mariadb-install-db --no-defaults --datadir="$hr/var/lib/mysql" --user=root --skip-test-db \
            > "$hr/var/log/mysql/install-db.log" 2>&1 || { cat "$hr/var/log/mysql/install-db.log"; return 1; }
    fi
    grep -E '^bind-address' "$hr/etc/mysql/mariadb.conf.d/50-server.cnf"
    local machine_cmd
    machine_argv "$host" mariadbd --defaults-file="$hr/etc/mysql/mariadb.conf.d/50-server.cnf" \
        --datadir="$hr/var/lib/mysql" --socket=/run/mysqld/mysqld.sock --port="$DB_PORT" \
        --pid-file="$hr/var/lib/mysql/mysqld.pid" --log-error="$hr/var/log/mysql/error.log" --user=root
    "${machine_cmd[@]}" > "$hr/var/log/mysql/stdout.log" 2>&1 &
    mariadb_pid_of[$host]=$!
    log "mariadbd ${mariadb_pid_of[$host]} on $host, socket /run/mysqld/mysqld.sock (of $host: $hr/run/mysqld), port $DB_PORT"
    local deadline=$((SECONDS + 60))
    until on_machine "$host" mariadb -e 'select 1' > /dev/null 2>&1; do
        kill -0 "${mariadb_pid_of[$host]}" 2>/dev/null || { tail -n 30 "$hr/var/log/mysql/error.log"; return 1; }
        [ "$SECONDS" -lt "$deadline" ] || { echo "no answer on /run/mysqld/mysqld.sock after 60s"; return 1; }
        sleep 0.5
    done
}

# stop_mariadb: stops every MariaDB server start_mariadb started (TERM, then KILL after 60s).
stop_mariadb() {
    local host pid i
    for host in "${!mariadb_pid_of[@]}"; do
        pid=${mariadb_pid_of[$host]}
        if kill -TERM "$pid" 2>/dev/null; then
            for ((i = 0; i < 120; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
            kill -KILL "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        fi
        unset "mariadb_pid_of[$host]"
    done
}

# remove_in_background DIR: removes DIR (venvs take minutes to delete) without making the
# test wait: detached from the test's output, so a pipe such as `make test | tee` ends.
remove_in_background() {
    local dir=$1
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    rm -rf "$dir" < /dev/null > /dev/null 2>&1 &
    log "removing $dir in the background (pid $!)"
    disown "$!" 2>/dev/null
    return 0
}
