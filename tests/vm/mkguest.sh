#!/usr/bin/env bash
# tests/vm/mkguest.sh - make the small guest of `make check-vm` from Debian packages.
#
#   bash tests/vm/mkguest.sh DIR
#
# Writes DIR/vmlinuz (the kernel of Debian's linux-image-cloud-amd64, fetched with apt-get download
# and unpacked under DIR/kernel, or else a Debian kernel installed under /boot), DIR/busybox (the
# static busybox: /bin/busybox of busybox-static, else that package fetched and unpacked; the test
# runs its udhcpd on the LAN) and DIR/initrd.gz: that busybox, the virtio-net modules (virtio_net is a module in Debian's kernels) with their
# dependencies in load order, iperf3 with its libraries, tests/vm/guest-init as /init and
# tests/vm/udhcpc.sh. Nothing but Debian packages is downloaded.
# Exit status: 0 done; 2 a piece is missing and cannot be had (the caller skips); 1 other error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: mkguest.sh DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

missing() { echo "mkguest: $*" >&2; exit 2; }

# apt_fetch PACKAGE DIR: download Debian's PACKAGE (apt-get download) and unpack it under DIR.
apt_fetch() {
    local pkg=$1 dir=$2 deb
    rm -rf "$dir" "$out/deb"
    mkdir -p "$out/deb"
    (cd "$out/deb" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >/dev/null 2>&1) || return 1
    deb=$(ls "$out"/deb/*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] && dpkg-deb -x "$deb" "$dir" || return 1
    rm -rf "$out/deb"
}

# kernel_pkg: the package linux-image-cloud-amd64 points to (apt-get update once if unknown).
kernel_pkg() {
    local pkg
    pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
    if [ -z "$pkg" ]; then
        apt-get update -q >/dev/null 2>&1 || true
        pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
    fi
    [ -n "$pkg" ] && printf '%s\n' "$pkg"
}

# kernel_from_deb: the cloud kernel's package unpacked under $out/kernel (once).
kernel_from_deb() {
    local pkg
    [ -n "$(ls "$out"/kernel/boot/vmlinuz-* 2>/dev/null)" ] && return 0
    pkg=$(kernel_pkg) && apt_fetch "$pkg" "$out/kernel"
}

# Find a kernel image and its modules directory: KIMG, KMOD.
KIMG="" KMOD=""
if kernel_from_deb; then
    KIMG=$(ls "$out"/kernel/boot/vmlinuz-* | head -n 1)
    KMOD=$(ls -d "$out"/kernel/lib/modules/* | head -n 1)
else
    for k in /boot/vmlinuz-*; do
        [ -r "$k" ] || continue
        v=${k#/boot/vmlinuz-}
        if [ -d "/lib/modules/$v" ]; then
            KIMG=$k
            KMOD=/lib/modules/$v
            break
        fi
    done
fi
[ -n "$KIMG" ] || missing "no guest kernel: cannot download linux-image-cloud-amd64, and no Debian kernel with its modules in /boot"

# busybox-static: /bin/busybox when it is the static one (ldd says it is not dynamic), else the
# package unpacked under $out/busybox-static (a dynamic busybox stays installed as it is).
static_busybox() { [ -x "$1" ] && ! ldd "$1" >/dev/null 2>&1; }
BUSYBOX=/bin/busybox
if ! static_busybox "$BUSYBOX"; then
    BUSYBOX=$out/busybox-static/bin/busybox
    static_busybox "$BUSYBOX" || apt_fetch busybox-static "$out/busybox-static" || true
    static_busybox "$BUSYBOX" || missing "no static busybox (busybox-static)"
fi
cp "$BUSYBOX" "$out/busybox.tmp"
mv "$out/busybox.tmp" "$out/busybox"
IPERF3=$(command -v iperf3 || true)
[ -n "$IPERF3" ] || missing "no iperf3"

root="$out/root"
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/modules}
cp "$BUSYBOX" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$here/guest-init" "$root/init"
install -m 0755 "$here/udhcpc.sh" "$root/etc/udhcpc.sh"

# The modules virtio_net and virtio_pci need, dependencies first (from each .ko's depends=).
# Built into the kernel instead (CONFIG_...=y)? Then there is nothing to load.
: >"$root/lib/modules/order"
declare -A seen=()
add_module() {
    local name=$1 f dep
    [ -n "${seen[$name]:-}" ] && return 0
    seen[$name]=1
    f=$(find "$KMOD/kernel" -name "$name.ko" -o -name "$name.ko.xz" | head -n 1)
    if [ -z "$f" ]; then
        grep -q "^CONFIG_$(printf '%s' "$name" | tr 'a-z' 'A-Z')=y" "$KMOD"/../../../boot/config-* 2>/dev/null ||
            echo "mkguest: note: no module $name (assumed built in)" >&2
        return 0
    fi
    for dep in $(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
        add_module "$dep"
    done
    case $f in
        *.xz) xz -dc "$f" >"$root/lib/modules/$name.ko" ;;
        *) cp "$f" "$root/lib/modules/$name.ko" ;;
    esac
    echo "$name.ko" >>"$root/lib/modules/order"
}
add_module virtio_pci
add_module virtio_net

# iperf3 and the shared libraries it loads, at the same paths.
copy_with_libs() {
    local bin=$1 lib
    mkdir -p "$root$(dirname "$bin")"
    cp "$bin" "$root$bin"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
}
copy_with_libs "$IPERF3"

cp "$KIMG" "$out/vmlinuz"
(cd "$root" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1 >"$out/initrd.gz.tmp")
mv "$out/initrd.gz.tmp" "$out/initrd.gz"
echo "mkguest: kernel $(basename "$KIMG"), modules: $(tr '\n' ' ' <"$root/lib/modules/order")initrd $(du -k "$out/initrd.gz" | cut -f1) KiB"
