build-analyze/netlink.o: src/netlink.c include/vnet/netlink.h \
 include/vnet/mac.h
include/vnet/netlink.h:
include/vnet/mac.h:
