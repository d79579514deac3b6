build-analyze/bpf.o: src/bpf.c include/vnet/bpf.h include/vnet/common.h \
 include/vnet/mac.h
include/vnet/bpf.h:
include/vnet/common.h:
include/vnet/mac.h:
