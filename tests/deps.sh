#!/bin/sh
# Install the Debian packages vnet needs to build and test, if any is missing.
# Runs apt-get only when something is missing, so a prepared machine stays offline.
set -eu
PKGS="make gcc pkg-config libmnl-dev libwolfssl-dev libmicrohttpd-dev libcmocka-dev curl prometheus iproute2 iputils-ping iperf3 tcpdump ethtool python3 procps openssl man-db groff-base bsdextrautils dnsmasq-base busybox nftables"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "deps: missing packages:$missing (run 'make deps' as root)" >&2
    exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
