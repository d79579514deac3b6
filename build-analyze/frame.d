build-analyze/frame.o: src/frame.c include/vnet/frame.h
include/vnet/frame.h:
