build-analyze/priv.o: src/priv.c include/vnet/log.h include/vnet/priv.h
include/vnet/log.h:
include/vnet/priv.h:
