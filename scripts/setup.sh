#!/usr/bin/env bash
# Installs what the project needs, and only what is missing.
#
#   scripts/setup.sh build   wasm target, trunk, wasm-bindgen-cli, wasm-opt (for `make serve`)
#   scripts/setup.sh test    the above, plus Chromium, the daemons the config checks run,
#                            the npm test deps, ansible-core, and the test machines' disks
#                            (Debian 12 and 13 root file systems and package archives, built
#                            once into /var/cache/stackwright by tests/stack/machine-image.sh)
#
# Every step checks first, so a second run installs nothing. Nothing prompts: apt runs
# non-interactively, and no service is started by Debian's scripts on this machine (the
# test machines are other machines: there, Debian starts its services as on a server).
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132
# The Ansible the deployment test drives the bundle's playbook with (from PyPI, into a venv).
ANSIBLE_CORE_VERSION=2.19.14

root=$(cd "$(dirname "$0")/.." && pwd)
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$cargo_bin:$PATH"

say() { printf '[setup] %s\n' "$*" >&2; }

need_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_ready=
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    # Debian must not start any daemon we install: the tests start their own.
    if [ ! -f /usr/sbin/policy-rc.d ] || ! grep -q 'exit 101' /usr/sbin/policy-rc.d; then
        printf '#!/bin/sh\nexit 101\n' | need_root tee /usr/sbin/policy-rc.d >/dev/null
        need_root chmod 755 /usr/sbin/policy-rc.d
    fi
    if [ -z "$apt_ready" ]; then
        say "apt-get update"
        need_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_ready=1
    fi
    say "apt-get install ${missing[*]}"
    need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_tools() {
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        say "rustup target add wasm32-unknown-unknown"
        rustup target add wasm32-unknown-unknown
    fi
    # The lint gates of `make test`.
    local component
    for component in clippy rustfmt; do
        if ! rustup component list --installed | grep -q "^$component"; then
            say "rustup component add $component"
            rustup component add "$component"
        fi
    done
    if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
        say "cargo install trunk $TRUNK_VERSION (about 6 minutes)"
        cargo install --locked trunk --version "$TRUNK_VERSION"
    fi
    if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
        say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
        # Not --locked: the published lock file of this version does not build here.
        cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
    fi
    # wasm-opt from npm's binaryen (Debian's binaryen 108 produces broken wasm), and
    # terser for the release build's post_build hook.
    npm_deps
    if ! "$root/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
        echo "setup: node_modules/.bin/wasm-opt is not binaryen $BINARYEN_VERSION" >&2
        exit 1
    fi
}

npm_deps() {
    if [ ! -f "$root/node_modules/.package-lock.json" ] || \
       ! cmp -s "$root/package-lock.json" "$root/node_modules/.stamp-lock" 2>/dev/null; then
        say "npm ci"
        (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
        cp "$root/package-lock.json" "$root/node_modules/.stamp-lock"
    fi
}

test_tools() {
    apt_install chromium chromium-driver nginx varnish haproxy supervisor memcached \
        mariadb-server mariadb-client openssl unzip curl python3-venv \
        openssh-client iproute2 debootstrap systemd-container dpkg-dev apt-utils \
        sslscan nghttp2-client nftables logrotate
    # The machines' disks download and unpack while cargo compiles the tools.
    local images_log="${STACKWRIGHT_CACHE:-/var/cache/stackwright}/machine-images.log" images_pid
    mkdir -p "$(dirname "$images_log")"
    machine_images > "$images_log" 2>&1 &
    images_pid=$!
    build_tools
    npm_deps
    ansible_tools
    if ! wait "$images_pid"; then
        cat "$images_log" >&2
        echo "setup: the test machines' disks could not be built" >&2
        exit 1
    fi
}

# The disks of the test machines (tests/stack/machines.sh), cached outside the clone.
machine_images() {
    say "test machines: Debian 12 and 13 disks (built once, side by side: about 4 minutes)"
    local release pids=() status=0
    for release in bookworm trixie; do
        need_root "$root/tests/stack/machine-image.sh" "$release" >/dev/null &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || status=1; done
    # The configs suite checks Debian 13's files with Debian 13's nginx, HAProxy and Varnish.
    need_root "$root/tests/stack/machine-image.sh" --checker trixie >/dev/null || status=1
    return "$status"
}

# ansible-core, pinned, in target/ansible-venv: the controller of tests/stack/ansible.sh.
ansible_tools() {
    local venv="$root/target/ansible-venv"
    local installed
    installed=$("$venv/bin/python" -c 'import ansible.release; print(ansible.release.__version__)' 2>/dev/null) || true
    if [ "$installed" != "$ANSIBLE_CORE_VERSION" ] || [ ! -x "$venv/bin/ansible-playbook" ]; then
        say "pip install ansible-core==$ANSIBLE_CORE_VERSION into target/ansible-venv"
        rm -rf "$venv"
        /usr/bin/python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "ansible-core==$ANSIBLE_CORE_VERSION"
    fi
}

case "${1:-build}" in
    build) build_tools ;;
    test) test_tools ;;
    *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
