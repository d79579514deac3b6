build-analyze/proto.o: src/proto.c include/vnet/proto.h \
 include/vnet/common.h include/vnet/mac.h
include/vnet/proto.h:
include/vnet/common.h:
include/vnet/mac.h:
