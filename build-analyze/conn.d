build-analyze/conn.o: src/conn.c include/vnet/conn.h include/vnet/tls.h
include/vnet/conn.h:
include/vnet/tls.h:
