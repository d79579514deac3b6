build-analyze/log.o: src/log.c include/vnet/log.h
include/vnet/log.h:
