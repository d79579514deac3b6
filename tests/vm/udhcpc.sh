#!/bin/sh
# udhcpc's script in the check-vm guest: sets the leased address on the interface and writes
# "ADDRESS SERVER-ID" to /tmp/lease.
# shellcheck disable=SC2154  # interface, ip, mask, serverid: set by udhcpc
case $1 in
    deconfig)
        ip -4 addr flush dev "$interface"
        ;;
    bound | renew)
        ip -4 addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        echo "$ip ${serverid:-?}" >/tmp/lease
        ;;
esac
exit 0
