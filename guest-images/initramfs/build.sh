#!/bin/sh
# Builds the busybox initramfs for Linux boot tests: OUT is a gzip cpio with Debian's static
# busybox as /bin/busybox, one symlink per applet the init uses, and ./init.
# busybox comes from busybox.sh: /bin/busybox when busybox-static is installed, otherwise the
# busybox-static .deb fetched with apt-get download (not installed) into a cache dir.
# Usage: guest-images/initramfs/build.sh OUT [CACHE_DIR]
set -eu
out="$1"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${2:-$root/target/busybox}"
bb=$("$here/busybox.sh" "$cache")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/sbin" "$stage/proc" "$stage/sys" "$stage/tmp"
cp "$bb" "$stage/bin/busybox"
for a in sh mount dmesg grep cat echo poweroff ls; do ln -s busybox "$stage/bin/$a"; done
ln -s ../bin/busybox "$stage/sbin/poweroff"
cp "$here/init" "$stage/init"
chmod 0755 "$stage/init"
"$root/vmm" initramfs --out "$out" --compress gzip "$stage"
