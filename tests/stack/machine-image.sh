#!/usr/bin/env bash
# The test machines' disks: a minimal Debian server's root file system and the local package
# archive its apt installs from, per release, built once and cached outside the clone.
#
#   tests/stack/machine-image.sh bookworm trixie     (as root; prints one line per release:
#                                                     RELEASE ROOTFS DEBS)
#   tests/stack/machine-image.sh --checker trixie    (prints the root file system the configs
#                                                     suite checks Debian 13's files in)
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
ARCHIVE_PACKAGES="nginx openssl varnish haproxy memcached supervisor python3-venv nftables
mariadb-server mariadb-client curl unzip rsync logrotate python3-apt socat"
# What the configs suite checks a design's files with, in that release's version.
CHECKER_PACKAGES="nginx haproxy varnish"
# Bump when the recipe below changes in a way the lists do not show.
RECIPE=1

say() { printf '[machine-image] %s\n' "$*" >&2; }

key_of() { printf '%s\n' "$@" | sha256sum | cut -c1-12; }

# cached DEST RELEASE BUILD ARGS...: DEST is built once: BUILD TMP ARGS... fills a folder
# beside it, which is renamed into place when complete; RELEASE's older builds are pruned.
cached() {
    local dest=$1 release=$2 build=$3 tmp t0=$SECONDS
    shift 3
    [ -f "$dest/.complete" ] && return 0
    mkdir -p "$(dirname "$dest")"
    tmp="$dest.building.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    "$build" "$tmp" "$@" || { rm -rf "$tmp"; return 1; }
    touch "$tmp/.complete"
    rm -rf "$dest"
    mv "$tmp" "$dest"
    say "ready in $((SECONDS - t0))s: $dest ($(du -sh "$dest" | cut -f1))"
    prune "$(dirname "$dest")" "$release" "$dest"
}

# rootfs RELEASE: the cached root file system of RELEASE, built when missing.
rootfs() {
    local release=$1 dest
    dest="$CACHE/rootfs/$release-$(key_of "$RECIPE" "$release" "$BASE_PACKAGES" "$MIRROR")"
    cached "$dest" "$release" build_rootfs "$release" "$dest.log" || return 1
    printf '%s/root' "$dest"
}

# build_rootfs TMP RELEASE LOG: debootstrap into TMP/root, made neutral for cloning.
build_rootfs() {
    local tmp=$1 release=$2 log=$3
    say "debootstrap $release (minbase + $BASE_PACKAGES) into $tmp"
    debootstrap --variant=minbase --include="$BASE_PACKAGES" "$release" "$tmp/root" "$MIRROR" > "$log" 2>&1 ||
        { tail -n 30 "$log" >&2; return 1; }
    neutralise "$tmp/root"
}

# prune FOLDER RELEASE KEEP: removes RELEASE's older builds in FOLDER (other keys), but KEEP,
# builds still in progress and builds a running test uses (it holds a shared lock on their
# .complete: tests/stack/machines.sh).
prune() {
    local old
    for old in "$1/$2"-*; do
        case "$old" in "$3"|*.building.*|*.log) continue ;; esac
        [ -d "$old" ] || continue
        if ! flock -xn "$old/.complete" true 2>/dev/null; then
            say "keeping the outdated $old: a running test uses it"
            continue
        fi
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
    local release=$1 rootfs=$2 dest
    dest="$CACHE/debs/$release-$(key_of "$RECIPE" "$rootfs" "$ARCHIVE_PACKAGES" "$MIRROR")"
    cached "$dest" "$release" build_archive "$release" "$rootfs" || return 1
    printf '%s' "$dest"
}

# build_archive TMP RELEASE ROOTFS: the packages apt downloads in a copy of ROOTFS, into
# TMP, indexed.
build_archive() {
    local tmp=$1 release=$2 rootfs=$3 chroot="$1.chroot"
    say "downloading the $release packages with apt in a copy of $rootfs"
    rm -rf "$chroot"
    cp -a "$rootfs" "$chroot"
    echo "deb $MIRROR $release main" > "$chroot/etc/apt/sources.list.d/download.list"
    rm -f "$chroot/etc/apt/sources.list.d/stackwright-local.list"
    cp /etc/resolv.conf "$chroot/etc/resolv.conf"
    # shellcheck disable=SC2086
    if ! { chroot "$chroot" apt-get update -qq &&
           chroot "$chroot" env DEBIAN_FRONTEND=noninteractive apt-get install -qq -y \
               --no-install-recommends --download-only $ARCHIVE_PACKAGES; } > "$chroot.log" 2>&1; then
        tail -n 30 "$chroot.log" >&2
        rm -rf "$chroot" "$chroot.log"
        return 1
    fi
    mv "$chroot"/var/cache/apt/archives/*.deb "$tmp/"
    rm -rf "$chroot" "$chroot.log"
    (cd "$tmp" && apt-ftparchive packages . > Packages && apt-ftparchive release . > Release)
    say "$release archive: $(ls "$tmp"/*.deb | wc -l) packages"
}

# checker RELEASE ROOTFS DEBS: the cached root file system the configs suite checks a
# design of RELEASE in (tests/daemons/check.sh, through chroot): ROOTFS with RELEASE's
# nginx, HAProxy and Varnish installed by apt from DEBS, so each file is read by the
# version its machines run.
checker() {
    local release=$1 rootfs=$2 debs=$3 dest
    dest="$CACHE/checkers/$release-$(key_of "$RECIPE" "$rootfs" "$debs" "$CHECKER_PACKAGES")"
    cached "$dest" "$release" build_checker "$rootfs" "$debs" || return 1
    printf '%s/root' "$dest"
}

# build_checker TMP ROOTFS DEBS: a copy of ROOTFS in TMP/root, CHECKER_PACKAGES installed
# from a copy of the archive DEBS (removed after).
build_checker() {
    local tmp=$1 rootfs=$2 debs=$3 r="$1/root"
    say "installing $CHECKER_PACKAGES into a copy of $rootfs"
    cp -a "$rootfs" "$r"
    cp -a "$debs"/. "$r/var/local/stackwright-debs/"
    # shellcheck disable=SC2086
    if ! { chroot "$r" apt-get update -qq &&
           chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get install -qq -y \
               --no-install-recommends $CHECKER_PACKAGES; } > "$tmp/install.log" 2>&1; then
        tail -n 30 "$tmp/install.log" >&2
        return 1
    fi
    find "$r/var/local/stackwright-debs" -mindepth 1 -delete
    rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/archives/*.deb
}

[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (debootstrap, chroot)" >&2; exit 1; }
if [ "${1:-}" = --checker ]; then
    # tests/stack/machine-image.sh --checker RELEASE: prints the checker root's path.
    [ $# -eq 2 ] || { echo "usage: $0 --checker RELEASE" >&2; exit 2; }
    r=$(rootfs "$2")
    d=$(archive "$2" "$r")
    checker "$2" "$r" "$d"
    echo
    exit 0
fi
[ $# -gt 0 ] || { echo "usage: $0 RELEASE... | --checker RELEASE" >&2; exit 2; }
for release in "$@"; do
    r=$(rootfs "$release")
    d=$(archive "$release" "$r")
    printf '%s %s %s\n' "$release" "$r" "$d"
done
