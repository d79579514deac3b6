build-analyze/addr.o: src/addr.c include/vnet/addr.h
include/vnet/addr.h:
