build-analyze/buf.o: src/buf.c include/vnet/buf.h
include/vnet/buf.h:
