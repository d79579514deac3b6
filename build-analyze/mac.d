build-analyze/mac.o: src/mac.c include/vnet/mac.h
include/vnet/mac.h:
