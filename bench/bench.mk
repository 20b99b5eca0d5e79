# bench/bench.mk - the benchmark programs, built with the main Makefile's variables.
#
#   make -f Makefile -f bench/bench.mk bench-programs
#
# Read after the main Makefile, so LIB_OBJ, ALL_CFLAGS, LDFLAGS and LIBS are the daemon's own: a
# bench program links exactly the objects it measures. Every bench/bench_*.c becomes
# $(BUILD)/bench/bench_* with no edit here.

BENCH_SRC := $(wildcard bench/bench_*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: bench-programs
bench-programs: $(BENCH_BIN)

$(BUILD)/bench/%: bench/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCH   $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS)
