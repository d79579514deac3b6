build-analyze/jsonout.o: src/jsonout.c include/vnet/jsonout.h
include/vnet/jsonout.h:
