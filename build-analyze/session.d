build-analyze/session.o: src/session.c include/vnet/addr.h \
 include/vnet/conn.h include/vnet/tls.h include/vnet/daemon.h \
 include/vnet/buf.h include/vnet/list.h include/vnet/loop.h \
 include/vnet/netlink.h include/vnet/mac.h include/vnet/port.h \
 include/vnet/common.h include/vnet/proto.h include/vnet/log.h
include/vnet/addr.h:
include/vnet/conn.h:
include/vnet/tls.h:
include/vnet/daemon.h:
include/vnet/buf.h:
include/vnet/list.h:
include/vnet/loop.h:
include/vnet/netlink.h:
include/vnet/mac.h:
include/vnet/port.h:
include/vnet/common.h:
include/vnet/proto.h:
include/vnet/log.h:
