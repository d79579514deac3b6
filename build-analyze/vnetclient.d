build-analyze/vnetclient.o: src/vnetclient.c include/vnet/addr.h \
 include/vnet/conn.h include/vnet/tls.h include/vnet/jsonout.h \
 include/vnet/proto.h include/vnet/common.h include/vnet/mac.h
include/vnet/addr.h:
include/vnet/conn.h:
include/vnet/tls.h:
include/vnet/jsonout.h:
include/vnet/proto.h:
include/vnet/common.h:
include/vnet/mac.h:
