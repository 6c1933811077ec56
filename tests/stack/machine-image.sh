#!/usr/bin/env bash
# The test machines' disks: a minimal Debian server's root file system and the local package
# archive its apt installs from, per release, built once and cached outside the clone.
#
#   tests/stack/machine-image.sh bookworm trixie     (as root; prints one line per release:
#                                                     RELEASE ROOTFS DEBS)
#
# A root file system is what a minimal server install leaves: debootstrap's minbase with
# systemd (as PID 1), dbus, openssh-server, python3 and ca-certificates, from Debian's
# archive. It is made neutral for cloning: no machine id (systemd makes one at first boot),
# no SSH host keys (each machine gets its own), and apt's only source is the local archive
# (`deb [trusted=yes] file:/var/local/stackwright-debs ./`), which tests/stack/machines.sh
# binds read-only into each machine. The machines have no route to Debian's archive, so apt
# installs exactly this set, and dpkg runs every package's own maintainer scripts: Debian
# starts its nginx, Varnish, HAProxy, memcached and MariaDB as on a real server.
#
# The archive holds every package a bundle's README or playbook installs, with whatever of
# their dependencies the root file system lacks, downloaded by apt inside a copy of that
# root file system (so dependencies are resolved as on the machine) and indexed with
# apt-ftparchive. Both are keyed by release and package list (a change to either builds
# anew); the cache is STACKWRIGHT_CACHE (default /var/cache/stackwright). A build happens in
# a temporary folder beside its destination and is renamed into place when complete.
set -euo pipefail

CACHE=${STACKWRIGHT_CACHE:-/var/cache/stackwright}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What a minimal Debian server has beyond minbase (the Debian installer's "SSH server" task,
# and python3, which Ansible needs on every machine it manages).
BASE_PACKAGES=systemd,systemd-sysv,dbus,openssh-server,python3,ca-certificates
# Everything a bundle's README or playbook may ask apt for (keep in step with the README's
# prerequisites and site.yml's packages; Ansible's apt module installs python3-apt).
ARCHIVE_PACKAGES="nginx openssl varnish haproxy memcached supervisor python3-venv
mariadb-server mariadb-client curl unzip rsync logrotate python3-apt socat"
# Bump when the recipe below changes in a way the lists do not show.
RECIPE=1

say() { printf '[machine-image] %s\n' "$*" >&2; }

key_of() { printf '%s\n' "$@" | sha256sum | cut -c1-12; }

# rootfs RELEASE: the cached root file system of RELEASE, built when missing.
rootfs() {
    local release=$1 key dest tmp
    key=$(key_of "$RECIPE" "$release" "$BASE_PACKAGES" "$MIRROR")
    dest="$CACHE/rootfs/$release-$key"
    if [ ! -f "$dest/.complete" ]; then
        mkdir -p "$CACHE/rootfs"
        tmp="$dest.building.$$"
        rm -rf "$tmp"
        local t0=$SECONDS
        say "debootstrap $release (minbase + $BASE_PACKAGES) into $tmp"
        debootstrap --variant=minbase --include="$BASE_PACKAGES" "$release" "$tmp/root" "$MIRROR" \
            > "$CACHE/rootfs/$release-$key.log" 2>&1 ||
            { tail -n 30 "$CACHE/rootfs/$release-$key.log" >&2; rm -rf "$tmp"; return 1; }
        neutralise "$tmp/root"
        touch "$tmp/.complete"
        rm -rf "$dest"
        mv "$tmp" "$dest"
        say "$release root file system ready in $((SECONDS - t0))s: $dest"
        prune "$CACHE/rootfs" "$release" "$dest"
    fi
    printf '%s/root' "$dest"
}

# prune FOLDER RELEASE KEEP: removes RELEASE's older builds in FOLDER (other keys), but KEEP
# and builds still in progress.
prune() {
    local old
    for old in "$1/$2"-*; do
        case "$old" in "$3"|*.building.*|*.log) continue ;; esac
        [ -d "$old" ] || continue
        say "removing the outdated $old"
        rm -rf "$old" "$old.log"
    done
}

# neutralise ROOT: what every clone must have of its own is removed; apt points at the
# local archive only.
neutralise() {
    local r=$1
    : > "$r/etc/machine-id"
    rm -f "$r/var/lib/dbus/machine-id" "$r"/etc/ssh/ssh_host_*
    rm -f "$r/etc/apt/sources.list" "$r"/etc/apt/sources.list.d/*
    echo 'deb [trusted=yes] file:/var/local/stackwright-debs ./' > "$r/etc/apt/sources.list.d/stackwright-local.list"
    mkdir -p "$r/var/local/stackwright-debs"
    rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/archives/*.deb
}

# archive RELEASE ROOTFS: the cached package archive for machines made from ROOTFS.
archive() {
    local release=$1 rootfs=$2 key dest tmp
    key=$(key_of "$RECIPE" "$rootfs" "$ARCHIVE_PACKAGES" "$MIRROR")
    dest="$CACHE/debs/$release-$key"
    if [ ! -f "$dest/.complete" ]; then
        mkdir -p "$CACHE/debs"
        tmp="$dest.building.$$"
        rm -rf "$tmp"
        mkdir -p "$tmp"
        local t0=$SECONDS
        say "downloading the $release packages with apt in a copy of $rootfs"
        cp -a "$rootfs" "$tmp/chroot"
        echo "deb $MIRROR $release main" > "$tmp/chroot/etc/apt/sources.list.d/download.list"
        rm -f "$tmp/chroot/etc/apt/sources.list.d/stackwright-local.list"
        cp /etc/resolv.conf "$tmp/chroot/etc/resolv.conf"
        # shellcheck disable=SC2086
        if ! { chroot "$tmp/chroot" apt-get update -qq &&
               chroot "$tmp/chroot" env DEBIAN_FRONTEND=noninteractive apt-get install -qq -y \
                   --no-install-recommends --download-only $ARCHIVE_PACKAGES; } > "$tmp/download.log" 2>&1; then
            tail -n 30 "$tmp/download.log" >&2
            rm -rf "$tmp"
            return 1
        fi
        mkdir -p "$tmp/debs"
        mv "$tmp/chroot"/var/cache/apt/archives/*.deb "$tmp/debs/"
        rm -rf "$tmp/chroot"
        (cd "$tmp/debs" && apt-ftparchive packages . > Packages && apt-ftparchive release . > Release)
        touch "$tmp/debs/.complete"
        rm -rf "$dest"
        mv "$tmp/debs" "$dest"
        rm -rf "$tmp"
        say "$release archive ready in $((SECONDS - t0))s: $(ls "$dest"/*.deb | wc -l) packages, $(du -sh "$dest" | cut -f1)"
        prune "$CACHE/debs" "$release" "$dest"
    fi
    printf '%s' "$dest"
}

[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (debootstrap, chroot)" >&2; exit 1; }
[ $# -gt 0 ] || { echo "usage: $0 RELEASE..." >&2; exit 2; }
for release in "$@"; do
    r=$(rootfs "$release")
    d=$(archive "$release" "$r")
    printf '%s %s %s\n' "$release" "$r" "$d"
done
