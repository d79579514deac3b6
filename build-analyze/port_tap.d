build-analyze/port_tap.o: src/port_tap.c include/vnet/bpf.h \
 include/vnet/common.h include/vnet/mac.h include/vnet/log.h \
 include/vnet/port.h
include/vnet/bpf.h:
include/vnet/common.h:
include/vnet/mac.h:
include/vnet/log.h:
include/vnet/port.h:
