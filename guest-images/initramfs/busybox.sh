#!/bin/sh
# Prints the path of a static busybox for the project's initramfs images (build.sh and
# scripts/kvm-lab): /bin/busybox when busybox-static is installed, otherwise the busybox-static
# .deb fetched with apt-get download (not installed) and unpacked into CACHE_DIR.
# Usage: guest-images/initramfs/busybox.sh CACHE_DIR
set -eu
cache="$1"
if [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q "statically linked"; then
  echo /bin/busybox
  exit 0
fi
if [ ! -x "$cache/root/bin/busybox" ]; then
  mkdir -p "$cache"
  # A private download directory, renamed into place: two builds sharing the cache never see half a file.
  tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  ( cd "$tmp" && apt-get download -q busybox-static >/dev/null 2>&1 ) || {
    echo "busybox.sh: apt-get download busybox-static failed (apt-get update?)" >&2; exit 1; }
  dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/root"
  mv -T "$tmp/root" "$cache/root" 2>/dev/null || [ -x "$cache/root/bin/busybox" ] || {
    echo "busybox.sh: $cache/root is there but has no bin/busybox: remove it" >&2; exit 1; }
fi
echo "$cache/root/bin/busybox"
