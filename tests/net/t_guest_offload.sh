#!/usr/bin/env bash
# A guest cannot close the handlers of its device with one frame. The guest is a python writer
# behind the TAP device vmtap (ip tuntap ... vnet_hdr, in gA; vnet captures it as any device).
# Four handlers are on vmtap in A: one from A's handlers file, an RHANDLE and a HANDLE made by a
# client of A, and the half of a HANDLE made on B. The guest writes frames with UDP fragmentation
# offload metadata (VIRTIO_NET_HDR_GSO_UDP), which the kernel cannot describe to a packet socket:
# its recvmsg fails with EINVAL for that frame alone. All four handlers stay, count the frames in
# drop_capture (STATS?), and still forward the guest's next frames to the LAN. Run with the shared
# capture (eBPF), then with the classic engine (a socket per handler: A started without CAP_BPF).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_guest_tap_add || vn_die "ip tuntap add vmtap"
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0

for engine in shared classic; do
    vn_section "$engine capture: four handlers on vmtap"
    vn_guest_start_A "$engine"
    vn_guest_handlers

    vn_section "$engine capture: the guest writes UFO frames, then ordinary ones"
    vn_marks_start lan p-gB "lan-$engine" "M1$engine" "M2$engine" "M3$engine" "M4$engine"
    for i in 1 2 3 4; do vn_guest_send "$i" "U$i$engine" ufo 3; done
    for i in 1 2 3 4; do vn_guest_send "$i" "M$i$engine" plain 5; done
    # B injected them all (each of its four handlers took its 5), then the LAN tap's last reads.
    vn_wait_until -i 0.5 10 vn_injected B 4 5
    sleep 0.5
    for i in 1 2 3 4; do
        vn_eq "handler of G$i: its 5 frames after the UFO ones reach the LAN" 5 "$(vn_wiretap_get "lan-$engine" "M$i$engine")"
    done
    vn_eq "A still lists 4 handlers, all up" "up up up up" "$(vn_stats_fields A state)"
    vn_log "A's drop_capture: $(vn_stats_fields A drop_capture)"
    vn_eq "each counts the UFO frames in drop_capture (at least 3)" 4 \
        "$(vn_stats_fields A drop_capture | tr ' ' '\n' | awk '$1 >= 3' | grep -c .)"
    vn_check "A logs the lost frame" test "$(grep -c 'frame.*lost: Invalid argument' "$VN_TMP/vnet-A.log")" -ge 1
    vn_check "A logs no handler closed" sh -c "! grep -q 'closed:' '$VN_TMP/vnet-A.log'"
    vn_check "A is still running" kill -0 "${VN_DPID[A]}"
    vn_stop_daemon A
    vn_eq "A exits 0 on SIGTERM" 0 "$VN_DRC"
    vn_wait_handlers B 0 10
done

vn_finish
