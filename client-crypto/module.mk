# client-crypto: libumbra, every byte format (docs/protocol.md).
LIB_SRCS := $(wildcard client-crypto/*.c)
LIB_OBJS  = $(LIB_SRCS:%.c=$(O)/obj/%.o)

$(O)/obj/client-crypto/%.o: CFLAGS_EXTRA = -Wconversion \
    $(call pkg_cflags,$(PKGS_CRYPTO))

$(O)/libumbra.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

LIBUMBRA_LIBS = $(O)/libumbra.a $(call pkg_libs,$(PKGS_CRYPTO)) -lpthread
