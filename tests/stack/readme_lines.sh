# The lines of a bundle README's code blocks, run as written on the machine they are for:
# a sourced library shared by drill.sh (one machine) and multi-host.sh (several), so both
# follow the READMEs the same way. The machines are real servers (tests/stack/machines.sh):
# Debian booted with systemd, apt installing from the machine's package source, Debian's
# services started by their packages.
#
#   . tests/stack/readme_lines.sh
#   run_sections HOST FROM-REGEX UNTIL-REGEX    # HOST's README, those sections, in order
#   run_line HOST SECTION LINE                  # one line, on HOST
#
# A line runs on its machine as root, in the folder its README's `cd` lines left it in
# (the first line in /root, where the zip is). What a test machine must replace is logged
# with the line, and nothing else is:
# - `bin/setup` gets pip's own settings PIP_NO_INDEX=1 and PIP_FIND_LINKS=WHEELS (a folder
#   of wheels on the machine): the test machines have no route to the Python package index;
# - `scp -r SRC root@ADDRESS:DEST` copies SRC from the workstation (the folder WORKSTATION
#   stands for its /root) onto the disk of the machine at ADDRESS, after checking that
#   ADDRESS is that machine's (the test machines do not log in to each other).
#
# The sourcing script provides log, pass, fail, expect, check and seconds_since (its own
# logging and counting), the `machine` command of machines.sh, and:
#   readme_of HOST               the path of HOST's README (as seen from here)
#   host_addr[HOST]              HOST's address (an associative array; for scp)
#   WORKSTATION, WHEELS, README_OUT (a folder for each line's output)

declare -A host_cwd=()
line_counter=0
last_out=""          # the output of the last line run_line ran

# run_line HOST SECTION LINE: one line of a README, run as written on HOST.
run_line() {
    local host=$1 section=$2 line=$3 cwd t0=$EPOCHREALTIME status label=$1:\ $3
    cwd=${host_cwd[$host]:-/root}
    local env=()
    case "$line" in
        "scp -r "*)
            local src dest target
            read -r _ _ src target <<< "$line"
            dest=${target#root@"${host_addr[$host]}":}
            expect "$host: scp copies to this machine's address (${host_addr[$host]})" "$([ "$dest" != "$target" ]; echo $?)" "target $target"
            src=${src/#\/root\//"$WORKSTATION/"}
            log "$host: README line: $line"
            log "$host: on this test machine: cp -r $src $(machine_root "$host")$dest (from the workstation's folder onto $host's disk)"
            mkdir -p -m 755 "$(dirname "$(machine_root "$host")$dest")"
            check "$label (as a copy onto $host's disk)" cp -r "$src" "$(machine_root "$host")$dest"
            return ;;
        "cd "*)
            local dir
            dir=$(eval "printf '%s' ${line#cd }")
            [[ $dir = /* ]] || dir="$cwd/$dir"
            host_cwd[$host]=$dir
            expect "$label" "$(machine "$host" test -d "$dir"; echo $?)" "no such folder"
            return ;;
        bin/setup*)
            env=(env PIP_NO_INDEX=1 "PIP_FIND_LINKS=$WHEELS")
            log "$host: README line: $line"
            log "$host: on this test machine: ${env[*]} $line (no route to the package index)" ;;
    esac
    local limit=300
    case "$line" in bin/setup*) limit=1500 ;; bin/create-site*|*zodbpack*|apt-get*) limit=600 ;; esac
    local out
    mkdir -p "$README_OUT"
    out="$README_OUT/$host-$((++line_counter)).out"
    log "run on $host in $cwd: $line"
    machine "$host" "${env[@]}" timeout "$limit" bash -c 'cd "$1" && eval "$2"' run_line "$cwd" "$line" > "$out" 2>&1
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
        # Its own stdin: nothing a line starts may eat the README's next lines.
        run_line "$block_host" "$section" "$line" < /dev/null || return 1
    done < <(readme_lines "$host")
    [ "$on" != 0 ] || { fail "$host's README has a section matching '$from'"; return 1; }
}

# wheelhouse REQUIREMENTS PYTHON-VERSION: a folder of wheels for REQUIREMENTS on that
# Python (manylinux, x86_64), downloaded once from the index on this machine and kept in
# STACKWRIGHT_CACHE/wheels, keyed by the pins and the Python version. Prints its path.
wheelhouse() {
    local requirements=$1 python=$2 key dir cache=${STACKWRIGHT_CACHE:-/var/cache/stackwright}
    key=$( { grep -v '^#' "$requirements"; echo "$python"; } | sha256sum | cut -c1-16)
    dir="$cache/wheels/cp${python/./}-$key"
    if [ ! -f "$dir/.complete" ]; then
        # Into a folder of this run's own, renamed into place: suites side by side may
        # fill the same wheelhouse at once.
        local t0=$EPOCHREALTIME platforms=() m tmp="$dir.tmp.$$"
        for m in 2_5 2_17 2_24 2_27 2_28 2_31 2_34 2_36; do platforms+=(--platform "manylinux_${m}_x86_64"); done
        log "filling the wheelhouse $dir from the index (once per requirements.txt and Python)" >&2
        rm -rf "$tmp"
        mkdir -p "$tmp"
        if [ ! -x "$cache/pip-venv/bin/python" ]; then
            /usr/bin/python3 -m venv "$cache/pip-venv.$$" >&2 || return 1
            mv -T "$cache/pip-venv.$$" "$cache/pip-venv" 2>/dev/null || rm -rf "$cache/pip-venv.$$"
        fi
        if ! timeout 900 "$cache/pip-venv/bin/python" -m pip download -q --disable-pip-version-check --only-binary=:all: \
            --python-version "$python" --implementation cp --abi "cp${python/./}" --abi abi3 --abi none \
            "${platforms[@]}" --platform manylinux1_x86_64 --platform manylinux2014_x86_64 --platform linux_x86_64 \
            -r "$requirements" -d "$tmp" >&2; then
            rm -rf "$tmp"
            return 1
        fi
        touch "$tmp/.complete"
        # The first run to finish puts its folder in place; a later one drops its own.
        mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
        log "wheelhouse filled in $(seconds_since "$t0")s" >&2
    fi
    printf '%s' "$dir"
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
