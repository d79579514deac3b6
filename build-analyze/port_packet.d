build-analyze/port_packet.o: src/port_packet.c include/vnet/bpf.h \
 include/vnet/common.h include/vnet/mac.h include/vnet/log.h \
 include/vnet/port.h
include/vnet/bpf.h:
include/vnet/common.h:
include/vnet/mac.h:
include/vnet/log.h:
include/vnet/port.h:
