build-analyze/loop.o: src/loop.c include/vnet/log.h include/vnet/loop.h
include/vnet/log.h:
include/vnet/loop.h:
