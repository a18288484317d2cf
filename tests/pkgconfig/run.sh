#!/usr/bin/env bash
# Install the build into a scratch prefix, then compile and run a program
# outside the tree with only `pkg-config --cflags --libs libcapture`. Also
# checks that the shared library exports nothing but capture_* symbols and
# carries the SONAME libcapture.so.1.
set -euo pipefail
build_dir=$1
src_dir=$2
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build_dir" --destdir "$tmp/root" --quiet --no-rebuild >/dev/null
prefix=$(meson introspect "$build_dir" --buildoptions |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
root="$tmp/root$prefix"
pcdir=$(dirname "$(find "$root" -name libcapture.pc | head -n1)")
libdir=$(dirname "$(find "$root" -name 'libcapture.so.1' | head -n1)")

export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$tmp/root"
flags=$(pkg-config --cflags --libs libcapture)
echo "pkg-config: $flags"
cp "$src_dir/consumer.c" "$tmp/"
(cd "$tmp" && $cc -std=c11 -Wall -Wextra -Werror consumer.c $flags -o consumer)
LD_LIBRARY_PATH="$libdir" "$tmp/consumer"

soname=$(readelf -d "$libdir/libcapture.so.1" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = "libcapture.so.1" ] || { echo "SONAME is '$soname'"; exit 1; }
others=$(nm -D --defined-only "$libdir/libcapture.so.1" | awk '{print $3}' |
	grep -v -e '^capture_' -e '^CAPTURE_[0-9.]*$' || true)
[ -z "$others" ] || { echo "exported beyond capture_*: $others"; exit 1; }
echo "SONAME $soname; exports only capture_* ($(nm -D --defined-only "$libdir/libcapture.so.1" | grep -c ' T capture_') functions)"
