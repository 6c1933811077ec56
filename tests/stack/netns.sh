# Network namespaces as hosts: a sourced library for tests that run a design on several
# machines on one machine (as root).
#
#   . tests/stack/netns.sh
#   trap netns_down_all EXIT            # always: removes everything below, even on failure
#   trap 'exit 130' INT TERM            #   (and let an interruption reach the EXIT trap)
#   netns_sweep_stale                   # optional: removes what killed runs left behind
#   netns_bridge                        # a private bridge (no address: the caller's own
#                                       # namespace has no route to the hosts)
#   netns_up web 10.77.0.11             # a namespace per host: lo up, a veth on the bridge
#   netns_up app1 10.77.0.12            #   with ADDR/24, no default route (no internet)
#   netns_exec web curl -s http://10.77.0.12:8001/     # run a command on a host
#   netns_wait_port web 10.77.0.11 8000 60             # bounded wait for a TCP listener
#   netns_pids web                      # processes still running on a host
#   netns_down_all                      # TERM then KILL what runs in each namespace,
#                                       # delete the namespaces, veths and the bridge
#
# Names are unique per run (prefix NETNS_PREFIX, default "sw<pid>-"), so several runs on
# one machine do not meet: `netns_exec web ...` runs in namespace "${NETNS_PREFIX}web".
# The namespaces share the file system: give each host a folder of its own.
# Everything created is remembered in NETNS_CREATED and NETNS_BRIDGE; nothing else is
# touched. Needs iproute2 (`ip`), installed by scripts/setup.sh. Functions print what they
# do on stderr with the prefix "[netns]" and return non-zero on failure.

NETNS_TAG=${NETNS_TAG:-$$}          # makes interface names unique per run
NETNS_PREFIX=${NETNS_PREFIX:-sw$NETNS_TAG-}
NETNS_BRIDGE=""
NETNS_CREATED=()       # host names (without the prefix), in creation order
NETNS_MASK=${NETNS_MASK:-24}
_netns_counter=0

_netns_say() { printf '[netns] %s\n' "$*" >&2; }

# netns_name HOST: the namespace's real name.
netns_name() { printf '%s%s' "$NETNS_PREFIX" "$1"; }

# netns_bridge [NAME]: creates the private bridge the hosts are plugged into.
netns_bridge() {
    # Interface names have at most 15 characters.
    local name=${1:-swbr$NETNS_TAG}
    name=${name:0:15}
    ip link add "$name" type bridge || return 1
    NETNS_BRIDGE=$name
    ip link set "$name" up || return 1
    _netns_say "bridge $name up"
}

# netns_up HOST ADDR: a namespace for HOST with loopback up and ADDR/NETNS_MASK on a veth
# plugged into the bridge (created by netns_bridge first).
netns_up() {
    local host=$1 addr=$2 ns
    ns=$(netns_name "$host")
    [ -n "$NETNS_BRIDGE" ] || netns_bridge || return 1
    _netns_counter=$((_netns_counter + 1))
    # Outer end on the bridge, inner end renamed to eth0 inside the namespace.
    local outer="sw${NETNS_TAG}v$_netns_counter" inner="sw${NETNS_TAG}i$_netns_counter"
    outer=${outer:0:15}
    inner=${inner:0:15}
    ip netns add "$ns" || return 1
    NETNS_CREATED+=("$host")
    ip link add "$outer" type veth peer name "$inner" || return 1
    ip link set "$outer" master "$NETNS_BRIDGE" || return 1
    ip link set "$outer" up || return 1
    ip link set "$inner" netns "$ns" || return 1
    ip -n "$ns" link set "$inner" name eth0 || return 1
    ip -n "$ns" link set lo up || return 1
    ip -n "$ns" addr add "$addr/$NETNS_MASK" dev eth0 || return 1
    ip -n "$ns" link set eth0 up || return 1
    _netns_say "host $host: namespace $ns, $addr/$NETNS_MASK on eth0 (bridge port $outer)"
}

# netns_hosts HOST LINE...: the /etc/hosts that commands in HOST's namespace see (`ip netns
# exec` mounts /etc/netns/<namespace>/hosts over /etc/hosts), for a client that resolves a
# public name to a test machine; netns_down_all removes it.
netns_hosts() {
    local host=$1 dir
    shift
    dir=/etc/netns/$(netns_name "$host")
    mkdir -p "$dir" && printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' > "$dir/hosts" &&
        printf '%s\n' "$@" >> "$dir/hosts"
}

# netns_exec HOST COMMAND...: runs COMMAND in HOST's namespace.
netns_exec() {
    local host=$1
    shift
    ip netns exec "$(netns_name "$host")" "$@"
}

# netns_sh HOST DIR COMMAND-LINE: runs a shell command line in DIR on HOST.
netns_sh() {
    local host=$1 dir=$2
    shift 2
    ip netns exec "$(netns_name "$host")" bash -c "cd \"\$1\" && eval \"\$2\"" netns_sh "$dir" "$*"
}

# netns_pids HOST: the processes running in HOST's namespace, one pid a line.
netns_pids() { ip netns pids "$(netns_name "$1")" 2>/dev/null; }

# netns_port_open HOST ADDR PORT: something accepts TCP connections on ADDR:PORT, seen from HOST.
netns_port_open() {
    netns_exec "$1" timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' netns_port "$2" "$3" 2>/dev/null
}

# netns_wait_port HOST ADDR PORT SECONDS: waits (polling twice a second, bounded) for ADDR:PORT.
netns_wait_port() {
    local host=$1 addr=$2 port=$3 limit=$4 deadline
    deadline=$((SECONDS + limit))
    while [ "$SECONDS" -lt "$deadline" ]; do
        netns_port_open "$host" "$addr" "$port" && return 0
        sleep 0.5
    done
    _netns_say "gave up after ${limit}s waiting for $addr:$port from $host"
    return 1
}

# netns_kill_all HOST: TERM every process in HOST's namespace, then KILL what is left after 10s.
netns_kill_all() {
    local host=$1 pids i
    pids=$(netns_pids "$host")
    [ -n "$pids" ] || return 0
    _netns_say "host $host: TERM to $(echo $pids)"
    kill -TERM $pids 2>/dev/null
    for ((i = 0; i < 20; i++)); do
        [ -z "$(netns_pids "$host")" ] && return 0
        sleep 0.5
    done
    pids=$(netns_pids "$host")
    _netns_say "host $host: KILL to $(echo $pids)"
    kill -KILL $pids 2>/dev/null
    sleep 0.5
}

# netns_down_all: stops what runs in every namespace this run created, deletes them
# (which deletes their veths) and the bridge. Safe to call twice.
netns_down_all() {
    local host ns
    for host in "${NETNS_CREATED[@]}"; do
        ns=$(netns_name "$host")
        netns_kill_all "$host"
        ip netns del "$ns" 2>/dev/null && _netns_say "deleted namespace $ns"
        rm -rf "/etc/netns/$ns"
    done
    NETNS_CREATED=()
    if [ -n "$NETNS_BRIDGE" ]; then
        ip link del "$NETNS_BRIDGE" 2>/dev/null && _netns_say "deleted bridge $NETNS_BRIDGE"
        NETNS_BRIDGE=""
    fi
    return 0
}

# netns_sweep_stale: deletes namespaces and bridges of earlier runs of this library whose
# process is gone (a run killed with KILL cannot clean up after itself).
netns_sweep_stale() {
    local ns tag link
    for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
        [[ $ns =~ ^sw([0-9]+)- ]] || continue
        tag=${BASH_REMATCH[1]}
        [ "$tag" = "$NETNS_TAG" ] && continue
        kill -0 "$tag" 2>/dev/null && continue
        _netns_say "removing stale namespace $ns (run $tag is gone)"
        local pids
        pids=$(ip netns pids "$ns" 2>/dev/null)
        [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
        ip netns del "$ns" 2>/dev/null
        rm -rf "/etc/netns/$ns"
    done
    for link in $(ip -o link show type bridge 2>/dev/null | awk -F': ' '{ print $2 }'); do
        [[ $link =~ ^swbr([0-9]+)$ ]] || continue
        tag=${BASH_REMATCH[1]}
        [ "$tag" = "$NETNS_TAG" ] && continue
        kill -0 "$tag" 2>/dev/null && continue
        _netns_say "removing stale bridge $link (run $tag is gone)"
        ip link del "$link" 2>/dev/null
    done
    return 0
}
