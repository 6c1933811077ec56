# Test machines that are real servers: Debian booted with systemd as PID 1, one per
# network namespace on the private bridge. A sourced library (as root), built on netns.sh.
#
#   . tests/stack/netns.sh; . tests/stack/machines.sh
#   trap machines_down_all EXIT              # powers off and removes every machine, then
#                                            # the namespaces and the bridge (netns_down_all)
#   machine_up web bookworm 10.77.0.11       # a fresh machine: its own disk (a copy of the
#                                            # cached root file system), hostname, stock
#                                            # /etc/hosts, SSH host keys; booted; waits until
#                                            # systemd reports the system up
#   machine web systemctl is-active nginx    # a command on the machine, as root logged in
#   machine_sh web 'cd /srv && ls'           # a shell command line on the machine
#   machine_root web                         # its / seen from here (to copy files in)
#   machine_processes_in web /srv/site       # its processes running in or from a folder
#   machine_reboot web                       # systemctl poweroff, wait, boot the same disk
#   machine_boot_seconds[web]                # how long the last boot took
#
# A machine is `systemd-nspawn --boot` of its own copy of the root file system made by
# tests/stack/machine-image.sh (debootstrap minbase + systemd, dbus, openssh-server,
# python3, ca-certificates), with --register=no --keep-unit (the outer system runs no
# systemd) and --network-namespace-path of a namespace of netns.sh. apt's only source is the
# local package archive, bound read-only at /var/local/stackwright-debs: `apt-get install`
# runs dpkg and the packages' maintainer scripts as on a real server, and Debian starts its
# own services. Nothing else of this machine is visible inside. Its root may change its
# own network's firewall (CAP_NET_ADMIN, which nspawn keeps only for a network it makes
# itself), as root may on a real server.
#
# Commands enter the machine's namespaces (mount, UTS, IPC, network, PID) with nsenter,
# with root's login environment; the console of each boot is kept in its folder
# (MACHINES_DIR/NAME/console-N.log).

MACHINES_DIR=${MACHINES_DIR:-}
MACHINE_DEBS_PATH=/var/local/stackwright-debs
declare -A machine_release=() machine_addr=() machine_nspawn=() machine_leader=() machine_boots=()
declare -A machine_boot_seconds=() machine_debs=()
MACHINES_CREATED=()

_machine_say() { printf '[machine] %s\n' "$*" >&2; }

# machine_images RELEASE...: builds (once) and records each release's root file system and
# package archive. This shell holds a shared lock on each until it exits, so that a run
# side by side, which builds newer ones, does not prune them while machines use them.
declare -A machine_image_rootfs=() machine_image_debs=()
machine_images() {
    local release rootfs debs dir fd
    while read -r release rootfs debs; do
        machine_image_rootfs[$release]=$rootfs
        machine_image_debs[$release]=$debs
        for dir in "${rootfs%/root}" "$debs"; do
            exec {fd}<"$dir/.complete" && flock -s "$fd"
        done
    done < <("$(dirname "${BASH_SOURCE[0]}")/machine-image.sh" "$@") || return 1
    for release in "$@"; do
        [ -n "${machine_image_rootfs[$release]:-}" ] || { _machine_say "no image for $release"; return 1; }
    done
}

machine_root() { printf '%s/%s/root' "$MACHINES_DIR" "$1"; }

# machine_up NAME RELEASE ADDR: creates and boots a fresh machine.
machine_up() {
    local name=$1 release=$2 addr=$3 r t0=$EPOCHREALTIME
    [ -n "$MACHINES_DIR" ] || MACHINES_DIR=$(mktemp -d /var/tmp/stackwright-machines.XXXXXX)
    [ -n "${machine_image_rootfs[$release]:-}" ] || machine_images "$release" || return 1
    r=$(machine_root "$name")
    mkdir -p "$MACHINES_DIR/$name"
    # Its own disk: a full copy (reflinked where the file system can), so a reboot keeps
    # what was written and nothing reaches the cached image.
    cp -a --reflink=auto "${machine_image_rootfs[$release]}" "$r" || return 1
    MACHINES_CREATED+=("$name")
    machine_release[$name]=$release
    machine_addr[$name]=$addr
    machine_debs[$name]=${machine_image_debs[$release]}
    echo "$name" > "$r/etc/hostname"
    # The /etc/hosts Debian's installer writes.
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n' \
        "$name" > "$r/etc/hosts"
    ssh-keygen -q -A -f "$r" || return 1
    # The machine's network: eth0 with its address, as the installer's static configuration.
    netns_up "$name" "$addr" || return 1
    _machine_say "$name: $release, $addr, disk $r ($(du -sh "$r" | cut -f1), copied in $(seconds_since "$t0")s)"
    machine_boot "$name"
}

# machine_boot NAME: boots NAME's disk and waits (at most 120s) until systemd says the
# system is up; records the seconds in machine_boot_seconds[NAME].
machine_boot() {
    local name=$1 r n t0=$EPOCHREALTIME pid leader="" i state
    r=$(machine_root "$name")
    n=$((${machine_boots[$name]:-0} + 1))
    machine_boots[$name]=$n
    systemd-nspawn --quiet --boot --register=no --keep-unit --directory="$r" --machine="$name" \
        --hostname="$name" --network-namespace-path="/run/netns/$(netns_name "$name")" \
        --resolv-conf=off --timezone=off --link-journal=no --capability=CAP_NET_ADMIN \
        --bind-ro="${machine_debs[$name]}:$MACHINE_DEBS_PATH" \
        < /dev/null > "$MACHINES_DIR/$name/console-$n.log" 2>&1 &
    pid=$!
    disown "$pid" 2>/dev/null
    machine_nspawn[$name]=$pid
    for ((i = 0; i < 200; i++)); do
        leader=$(_machine_leader "$pid")
        [ -n "$leader" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$leader" ]; then
        _machine_say "$name did not start:"
        tail -n 30 "$MACHINES_DIR/$name/console-$n.log" >&2
        return 1
    fi
    machine_leader[$name]=$leader
    # Until systemd answers on its bus and has finished starting up (bounded: 120s).
    local deadline=$((SECONDS + 120))
    while :; do
        state=$(machine "$name" systemctl is-system-running 2>/dev/null)
        case "$state" in running|degraded|maintenance|stopping) break ;; esac
        [ "$SECONDS" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    machine_boot_seconds[$name]=$(seconds_since "$t0")
    _machine_say "$name: boot $n, systemd $state after ${machine_boot_seconds[$name]}s (PID 1 is $leader here)"
    case "$state" in
        running) return 0 ;;
        degraded)
            machine "$name" systemctl --failed --no-legend >&2
            return 0 ;;
        *)  tail -n 30 "$MACHINES_DIR/$name/console-$n.log" >&2
            return 1 ;;
    esac
}

# The machine's PID 1: the child of systemd-nspawn that runs systemd.
_machine_leader() {
    local child
    for child in $(pgrep -P "$1" 2>/dev/null); do
        case "$(readlink "/proc/$child/exe" 2>/dev/null)" in
            */systemd|*/init) echo "$child"; return 0 ;;
        esac
    done
}

# machine NAME COMMAND...: runs COMMAND on NAME as root, with root's login environment.
machine() {
    local name=$1
    shift
    nsenter --target "${machine_leader[$name]}" --mount --uts --ipc --net --pid --root --wd -- \
        env -i --chdir=/root HOME=/root USER=root LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# machine_sh NAME COMMAND-LINE: a shell command line on NAME.
machine_sh() {
    local name=$1
    shift
    machine "$name" bash -c "$*"
}

# machine_processes_in NAME DIR: NAME's processes running in or from DIR ("pid command" lines).
machine_processes_in() {
    machine "$1" bash -c 'for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = "$$" ] && continue
        cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
        cmd=$(tr "\0" " " < "$p/cmdline" 2>/dev/null) || continue
        case "$cwd/ $cmd" in *"$1"*) echo "${p#/proc/} $cmd (cwd $cwd)" ;; esac
    done' processes "$2"
}

# machine_poweroff NAME: `systemctl poweroff` on NAME, and wait (at most 90s) until it is off.
machine_poweroff() {
    local name=$1 pid=${machine_nspawn[$1]:-} i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { machine_nspawn[$name]=""; return 0; }
    machine "$name" systemctl poweroff > /dev/null 2>&1
    for ((i = 0; i < 180; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        _machine_say "$name did not power off in 90s: KILL"
        pkill -KILL -P "$pid" 2>/dev/null
        kill -KILL "$pid" 2>/dev/null
        sleep 0.5
    fi
    machine_nspawn[$name]=""
    machine_leader[$name]=""
}

# machine_reboot NAME: power off, then boot the same disk.
machine_reboot() {
    machine_poweroff "$1" && machine_boot "$1"
}

# machines_down_all: powers off every machine, removes the namespaces and the bridge, and
# removes the machines' disks in the background. Safe to call twice.
machines_down_all() {
    local name
    for name in "${MACHINES_CREATED[@]}"; do
        machine_poweroff "$name"
    done
    MACHINES_CREATED=()
    netns_down_all
    if [ -n "$MACHINES_DIR" ] && [ -d "$MACHINES_DIR" ]; then
        rm -rf "$MACHINES_DIR" < /dev/null > /dev/null 2>&1 &
        disown "$!" 2>/dev/null
        MACHINES_DIR=""
    fi
    return 0
}
