build-analyze/tls.o: src/tls.c include/vnet/common.h include/vnet/log.h \
 include/vnet/tls.h
include/vnet/common.h:
include/vnet/log.h:
include/vnet/tls.h:
