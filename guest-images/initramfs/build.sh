#!/bin/sh
# Builds the busybox initramfs for Linux boot tests: OUT is a gzip cpio with Debian's static
# busybox as /bin/busybox, one symlink per applet the init uses, and ./init.
# busybox comes from /bin/busybox when busybox-static is installed, otherwise from the
# busybox-static .deb fetched with apt-get download (not installed) into a cache dir.
# Usage: guest-images/initramfs/build.sh OUT [CACHE_DIR]
set -eu
out="$1"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${2:-$root/target/busybox}"
bb=""
if [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q "statically linked"; then
  bb=/bin/busybox
else
  mkdir -p "$cache"
  if [ ! -x "$cache/root/bin/busybox" ]; then
    ( cd "$cache" && rm -f ./*.deb && apt-get download -q busybox-static >/dev/null 2>&1 ) || {
      echo "build.sh: apt-get download busybox-static failed" >&2; exit 1; }
    dpkg-deb -x "$cache"/busybox-static_*.deb "$cache/root"
  fi
  bb="$cache/root/bin/busybox"
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/sbin" "$stage/proc" "$stage/sys" "$stage/tmp"
cp "$bb" "$stage/bin/busybox"
for a in sh mount dmesg grep cat echo poweroff ls; do ln -s busybox "$stage/bin/$a"; done
ln -s ../bin/busybox "$stage/sbin/poweroff"
cp "$here/init" "$stage/init"
chmod 0755 "$stage/init"
"$root/vmm" initramfs --out "$out" --compress gzip "$stage"
