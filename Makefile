# pipewright - one non-recursive Makefile: a single dependency graph spans every folder.
#
#   make              build build/pipewrightd and build/pipewright
#   make demo         the main job on the embedded Kafka (installs what is missing first)
#   make test         unit tests (plain and ASan+UBSan), scenarios, integration on real Kafka+Redis
#   make test-clients the client examples (Java, Go, Python, Node.js) and a Kafka Connect sink
#   make up / down    local Apache Kafka 3.9 (KRaft) and Redis (AOF) on loopback; with CLUSTER=1
#                     three brokers and a six-node Redis Cluster
#   make fuzz         libFuzzer harnesses (FUZZ_SECONDS each)
#   make test-scenarios           the advisor scored on tests/scenarios (the m* corpus printed)
#   make test-scenarios-strict    the same with the m* corpus gating
#   make bench-advice             words, boilerplate, form agreement, reports per CPU second
#   make SANITIZE=1   an ASan+UBSan build in build/asan
#   make install      binaries, manual pages, systemd unit, docs, /etc/pipewright/pipewrightd.conf
#                     (PREFIX=/usr/local, DESTDIR=); make uninstall keeps the configuration
#
# Folders are modules; a module's .c files are found by wildcard, so adding a file needs no edit
# here. Dependencies point one way: advisor/, schemas/ and the speech normaliser see common/ only;
# USES_<module> below lists what each module may include, and the compiler holds it to that.

CC        ?= gcc
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wwrite-strings -Wformat=2 -Werror
CSTD      := -std=c11 -D_GNU_SOURCE
PKGS      := rdkafka avro-c hiredis libevent libevent_pthreads espeak-ng libopusenc jansson libcrypto \
             libcurl
FLITE_LIBS := -lflite_cmu_us_rms -lflite_cmu_us_slt -lflite_cmu_us_kal16 -lflite_usenglish \
              -lflite_cmulex -lflite
# Graphviz (libgvc) renders the diagram's SVG in the daemon only (daemon/diagram.c): its dot
# layout and core renderer plugins are linked in, found at run time through the rpath.
GV_PKGS   := libgvc
MODULES   := common schemas advisor speech state consumer producer registry
INCLUDES  := $(addprefix -I,$(MODULES)) -Idaemon -Icli

# The modules each module may include from; it is compiled with their include paths and no
# others, so an #include across a forbidden edge fails the build. Tests see everything.
USES_common   :=
USES_schemas  := common
USES_advisor  := common
USES_speech   := common
USES_state    := common
USES_consumer := common
USES_producer := common schemas
USES_registry := common schemas
USES_daemon   := common schemas advisor speech state consumer producer registry
USES_cli      := common schemas advisor speech registry
USES_gen      := common
module_of      = $(firstword $(subst /, ,$(1)))
includes_of    = $(addprefix -I,$(1) $(USES_$(1)))

ifeq ($(SANITIZE),1)
BUILD     ?= build/asan
CFLAGS    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS   += -fsanitize=address,undefined
else
BUILD     ?= build
endif

# A goal that compiles needs the Debian packages deploy/install-deps installs: say so in one line
# rather than with a compiler error. (test, demo and up install them first, then build in a
# sub-make that checks again.)
NO_DEPS_GOALS := install-deps test demo up down clean lint uninstall test-asyncapi test-clients
ifneq ($(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell pkg-config --exists $(PKGS) $(GV_PKGS) 2>/dev/null && test -f /usr/include/flite/flite.h && echo yes),yes)
$(error build dependencies are missing; run 'make install-deps' (deploy/install-deps) first)
endif
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = $(CSTD) $(WARN) $(CFLAGS) $(INCLUDES) $(PKG_CFLAGS) -MMD -MP
MOD_CFLAGS  = $(CSTD) $(WARN) $(CFLAGS) $(call includes_of,$(call module_of,$*)) $(PKG_CFLAGS) \
              -MMD -MP
LIBS        = $(PKG_LIBS) $(FLITE_LIBS) -lpthread -lm
GV_PLUGINS := $(shell pkg-config --variable=libdir $(GV_PKGS) 2>/dev/null)/graphviz
GV_CFLAGS  := $(shell pkg-config --cflags $(GV_PKGS) 2>/dev/null)
GV_LIBS    := $(shell pkg-config --libs $(GV_PKGS) 2>/dev/null) -L$(GV_PLUGINS) \
              -Wl,-rpath,$(GV_PLUGINS) -lgvplugin_dot_layout -lgvplugin_core
$(BUILD)/obj/daemon/diagram.o: MOD_CFLAGS += $(GV_CFLAGS)

EMBED_FILES := $(sort $(wildcard schemas/*.avsc) $(wildcard advisor/data/*) $(wildcard speech/data/*) \
                      $(wildcard daemon/web/*))
LIB_SRC     := $(foreach m,$(MODULES),$(wildcard $(m)/*.c))
LIB_OBJ     := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/embedded.o
DAEMON_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard daemon/*.c))
CLI_OBJ     := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard cli/*.c))
TEST_SRC    := $(wildcard tests/unit/test_*.c)
TEST_BIN    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test test-unit test-unit-asan test-scenarios test-integration demo up down \
        install-deps fuzz bench lint lint-chart clean test-integration-asan test-chaos \
        test-valgrind test-integration-valgrind install uninstall test-scenarios-strict \
        bench-advice test-asyncapi test-speech-listen test-clients test-chaos-cluster
all: $(BUILD)/pipewrightd $(BUILD)/pipewright

$(BUILD)/pipewrightd: $(DAEMON_OBJ) $(LIB_OBJ)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(GV_LIBS)

$(BUILD)/pipewright: $(CLI_OBJ) $(LIB_OBJ)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# V=1 shows the full command lines.
Q := $(if $(V),,@)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(MOD_CFLAGS) -c -o $@ $<

# Data files compiled in, so binaries run from anywhere.
$(BUILD)/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -o $@ $<
$(BUILD)/gen/embedded.c: $(BUILD)/embed $(EMBED_FILES)
	@mkdir -p $(dir $@)
	$(BUILD)/embed $@ $(EMBED_FILES)
$(BUILD)/obj/gen/embedded.o: $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $^ $(LIBS)
# test_diagram compiles daemon/diagram.c into itself, so it links Graphviz as the daemon does.
$(BUILD)/tests/test_diagram: ALL_CFLAGS += $(GV_CFLAGS)
$(BUILD)/tests/test_diagram: LIBS += $(GV_LIBS)

# The daemon's state machine is tested on its own, with no handle of the daemon.
$(BUILD)/tests/test_batch: $(BUILD)/obj/daemon/batch.o

# ---- tests ---------------------------------------------------------------------------------
test: install-deps
	$(MAKE) test-unit
	$(MAKE) test-unit-asan
	$(MAKE) test-scenarios
	$(MAKE) test-asyncapi
	$(MAKE) test-speech-listen
	$(MAKE) test-integration
	$(MAKE) test-chaos

test-unit: $(TEST_BIN) all
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; $$t; done

test-unit-asan:
	$(MAKE) SANITIZE=1 test-unit

test-scenarios: all
	tests/scenarios/run

# The messy-request corpus (tests/scenarios/m*.json) as a gate, not only a printed yardstick.
test-scenarios-strict: all
	tests/scenarios/run --strict

# schemas/asyncapi.yaml parsed by the AsyncAPI parser (installed from npm into build/asyncapi).
test-asyncapi:
	tests/asyncapi/validate
# The spoken summary heard by Whisper base (test virtualenv), two scenarios: tests/speech/hear.
test-speech-listen: all
	build/venv/bin/python tests/speech/hear --only q01,q13 --paths espeak-ng:en-us,flite:rms \
	    --floor 0.75

test-integration: all
	deploy/with-services tests/integration/run

# The client examples (examples/: Java, Go, Python, Node.js) and the Kafka Connect file sink,
# against a local broker, schema registry and pipewrightd: examples/run.
test-clients: install-deps
	$(MAKE) all
	examples/run

# Every unit test under valgrind (memcheck; definite leaks are errors). The speech pool cases
# are left out: their workers re-execute /proc/self/exe, which under valgrind is valgrind; the
# code a worker runs is covered by the render cases.
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
            --suppressions=tests/valgrind.supp
SPEECH_NO_POOL := normalise_table normalise_appends normalise_defuses_apostrophes normalise_bound \
                  normalise_random_input voice_and_codec_names render_espeak_opus \
                  render_flite_opus render_wav render_rate render_errors \
                  render_deterministic_container proto_round_trip
test-valgrind: $(TEST_BIN)
	@set -e; for t in $(filter-out %/test_speech,$(TEST_BIN)); do echo "== valgrind $$t"; \
	    $(VALGRIND) $$t; done
	@echo "== valgrind $(BUILD)/tests/test_speech (no pool cases)"
	@$(VALGRIND) $(BUILD)/tests/test_speech $(SPEECH_NO_POOL)

# Exactly once under faults, small: 2,000 events with a kill of the broker, of Redis and of the
# daemon, hot projects, then hostile input (tests/chaos/; docs/reliability.md has the full-size
# figures).
test-chaos: all
	tests/chaos/run-small

# The cluster scenario's small profile (not in test-chaos while librdkafka 2.0.2 can abort a
# daemon, docs/reliability.md section 8.3): three brokers, a six-node
# Redis Cluster, three daemons, 2,000 events, a broker, a Redis master and a daemon killed and
# 500 slots resharded (tests/chaos/cluster.py; docs/reliability.md section 8).
test-chaos-cluster: all
	tests/chaos/run-small cluster

# The integration suite against the ASan+UBSan build of both binaries. conftest.py sends every
# process's ASan/LSan report to a file and reads the daemons' logs for UBSan's: a report fails
# the test it happened in, even in a process expected to fail or killed (the speech workers).
# Waits on the daemon's pace are 3 times longer (pwtest.SLOWDOWN).
test-integration-asan:
	$(MAKE) SANITIZE=1 all
	PIPEWRIGHT_BUILD=build/asan ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 deploy/with-services tests/integration/run

# The integration tests whose daemons conftest.py starts (end to end, restart, registry), with
# pipewrightd under valgrind memcheck: each daemon's log is read after its test, and any error
# or definite leak fails it. The speech workers run natively (--speech-worker-exe; synthesis
# under memcheck would outlast the speech timeout; make test-valgrind covers the worker's code).
# test_http, test_page and test_security are left out: their daemons do not come from
# conftest.py and they hold the daemon to latency bounds a 20 times slower process cannot keep.
VALGRIND_DAEMON := valgrind --error-exitcode=99 --leak-check=full \
                   --errors-for-leak-kinds=definite --num-callers=30 --child-silent-after-fork=yes \
                   --suppressions=$(CURDIR)/tests/valgrind.supp
VALGRIND_TESTS  := test_end_to_end.py or test_restart.py or test_registry.py
test-integration-valgrind: all
	PIPEWRIGHT_DAEMON_WRAPPER="$(VALGRIND_DAEMON)" deploy/with-services tests/integration/run \
	    -k "$(VALGRIND_TESTS)"

# ---- services and demo -----------------------------------------------------------------------
install-deps:
	deploy/install-deps

# CLUSTER=1: three Kafka brokers and a six-node Redis Cluster (deploy/cluster) instead.
SERVICES := $(if $(filter 1,$(CLUSTER)),deploy/cluster,deploy/services)
up: install-deps
	$(SERVICES) up

down:
	$(SERVICES) down

demo:
	deploy/install-deps --demo
	$(MAKE) all
	deploy/demo

fuzz:
	tests/fuzz/run

bench: all
	bench/run

# Words, boilerplate, structured/text agreement and reports per CPU second over the scenarios.
bench-advice: all
	bench/advice

# clang-format (.clang-format) over every C source and header outside build/; tools/format-tree
# applies it.
LINT_SRC := $(filter-out build/%,$(wildcard */*.c */*.h */*/*.c */*/*.h))
lint:
	clang-format --dry-run --Werror $(LINT_SRC)

# helm lint and kubeconform -strict on the chart (all variants), systemd-analyze verify of the
# unit, the compose file and the Dockerfile's package lists: see tests/deploy/run.
lint-chart: all
	tests/deploy/run

# ---- install -------------------------------------------------------------------------------
# The daemon goes to sbin, the command to bin. The unit's ExecStart is rewritten to name the
# installed daemon. The configuration is installed only when none is there: a user's file is
# never overwritten, and uninstall leaves /etc/pipewright alone.
PREFIX   ?= /usr/local
SBINDIR  := $(PREFIX)/sbin
BINDIR   := $(PREFIX)/bin
MANDIR   := $(PREFIX)/share/man
DOCDIR   := $(PREFIX)/share/doc/pipewright
UNITDIR  := $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
CONFDIR  := /etc/pipewright
CONF     := $(DESTDIR)$(CONFDIR)/pipewrightd.conf
DOCS     := README.md $(wildcard docs/*.md)
STAGE    := $(BUILD)/install

install: all
	@mkdir -p $(STAGE)
	sed 's#^ExecStart=/usr/local/sbin/pipewrightd #ExecStart=$(SBINDIR)/pipewrightd #' \
	    deploy/pipewrightd.service > $(STAGE)/pipewrightd.service
	grep -q '^ExecStart=$(SBINDIR)/pipewrightd ' $(STAGE)/pipewrightd.service
	gzip -9n < docs/man/pipewrightd.8 > $(STAGE)/pipewrightd.8.gz
	gzip -9n < docs/man/pipewright.1 > $(STAGE)/pipewright.1.gz
	install -D -m 0755 $(BUILD)/pipewrightd $(DESTDIR)$(SBINDIR)/pipewrightd
	install -D -m 0755 $(BUILD)/pipewright $(DESTDIR)$(BINDIR)/pipewright
	install -D -m 0644 $(STAGE)/pipewrightd.8.gz $(DESTDIR)$(MANDIR)/man8/pipewrightd.8.gz
	install -D -m 0644 $(STAGE)/pipewright.1.gz $(DESTDIR)$(MANDIR)/man1/pipewright.1.gz
	install -D -m 0644 $(STAGE)/pipewrightd.service $(DESTDIR)$(UNITDIR)/pipewrightd.service
	install -d -m 0755 $(DESTDIR)$(DOCDIR)
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	@if [ -e $(CONF) ]; then \
	    echo "kept $(CONF)"; \
	else \
	    [ -d $(DESTDIR)$(CONFDIR) ] || install -d -m 0750 $(DESTDIR)$(CONFDIR); \
	    echo "install -D -m 0640 deploy/pipewrightd.conf.example $(CONF)"; \
	    install -D -m 0640 deploy/pipewrightd.conf.example $(CONF); \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/pipewrightd $(DESTDIR)$(BINDIR)/pipewright \
	    $(DESTDIR)$(MANDIR)/man8/pipewrightd.8.gz $(DESTDIR)$(MANDIR)/man1/pipewright.1.gz \
	    $(DESTDIR)$(UNITDIR)/pipewrightd.service \
	    $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS)))
	rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DOCDIR) 2>/dev/null || true
	@echo "kept $(DESTDIR)$(CONFDIR) (the configuration)"

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
