build-analyze/port.o: src/port.c include/vnet/bpf.h include/vnet/common.h \
 include/vnet/mac.h include/vnet/port.h
include/vnet/bpf.h:
include/vnet/common.h:
include/vnet/mac.h:
include/vnet/port.h:
