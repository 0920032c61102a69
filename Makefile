# mailtlsrpt - SMTP TLS Reporting (RFC 8460) from mail server logs
#
# make            build ./mailtlsrpt
# make check      install build/test dependencies (as root), build, run tests
# make demo       install, build, run the pipeline on testdata/demo, write out/
# make asan       the whole test suite under AddressSanitizer + UBSan + LSan
# make install    PREFIX=/usr/local DESTDIR= (the last build, the man page,
#                 the docs, the systemd units)
# make headers    every header compiles on its own
# make layers     every folder includes only the layers below it
#                 (scripts/layers.sh; also part of make check)
# make fuzz       libFuzzer on every tests/fuzz/fz_*.c, FUZZ_SECONDS each
# make update-ref regenerate expected outputs of data-driven cases
# make valgrind   make demo under valgrind memcheck (any leak fails)
# make bench      seven log shapes against grep/zcat/pflogsumm, RSS, report
#                 end to end against the file system's floor (BENCH_MB=)
# make bench-dns  policy resolution of 100,000 domains over local DNS
# make bench-follow  follow: lines/s appended, lag, CPU of a quiet log
# make check-mta  Debian's Postfix, Exim and Sendmail against test servers
#                 (root; also part of make check, via tests/it_mta.sh)
# make check-slurm aggregate/merge/report as Slurm jobs on this machine
# make deb        the Debian package (debian/) in build/deb/ (DEB_OUT)

PROG     = mailtlsrpt
VERSION  = 0.1.0
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build

PKGS     = libpcre2-8 jansson zlib libcurl ldns libxxhash liblzma libzstd \
           libssl libcrypto libmicrohttpd
CC      ?= cc
# -flto: the parsers' many small functions across modules inline into
# the line loop (5 to 8 % of a benchmark run); -O3 and -fno-plt (library
# calls through the GOT at once) another 4 %; links follow OPT
OPT     ?= -O3 -g -flto=auto -fno-plt
# Profile-guided optimisation (GCC): the objects of the build are
# compiled with the branch and call counts of a training run
# (scripts/pgo-train.sh: every shape of make bench, generated or real
# logs replayed, at -j 1 and -j 2, plus PGO_LOGS if given) of an
# instrumented build of the same sources in $(BUILD)/pgo/gen: the hot
# paths laid out straight, the never run ones out of the way; 3 to 4 %
# fewer instructions than PGO=0 and a sixth to a half fewer I-cache
# misses (docs/benchmarks.md, "The profile-guided build, round 17").
# PGO=0 builds without. Sanitizer and fuzz builds never use it, nor
# does a compiler other than GCC.
PGO     ?= $(if $(shell $(CC) --version 2>/dev/null | grep -q 'Free Software Foundation' && echo y),1,0)
PGO_DIR  = $(abspath $(BUILD))/pgo
# both builds name each object's auxiliary base alike (-dumpdir,
# -dumpbase): GCC derives a static function's profile id from it, so
# the counts of the instrumented objects fit the objects built from them
PGO_AUX ?=
ifeq ($(PGO),1)
PGO_AUX  = $(PGO_DIR)/aux
# hot-bb-count-ws-permille=1000: every block the training ran is hot
# (optimised for speed), not only those that make 99 % of its count
# (GCC's 990), which compiled the rarer paths of a shape with a small
# share of the training (Exim's) for size; -fprofile-partial-training:
# a function the training never ran is compiled as without a profile,
# not for size
PGO_USE  = -fprofile-use=$(PGO_DIR)/data -fprofile-partial-training \
           --param=hot-bb-count-ws-permille=1000 -Wno-missing-profile
endif
WARN     = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wcast-qual -Wwrite-strings -Wundef \
           -fno-common
ifeq ($(CI),true)
WARN    += -Werror
endif
SAN     ?=
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl, ldns, libmicrohttpd and OpenSSL are not linked: util/dlib.c
# loads them on first use (the thirty libraries they bring cost every
# command 5 ms at start); only their headers are used here
LINK_PKGS = libpcre2-8 jansson zlib libxxhash liblzma libzstd
PKG_LIBS   := $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null) -lbz2
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DMTR_VERSION='"$(VERSION)"' \
             $(OPT) $(PGO_USE) $(WARN) $(SAN) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(filter -O% -flto% -fno-plt -fprofile%,$(OPT)) $(PGO_USE) \
              $(SAN) $(LDFLAGS)
LIBS     = $(PKG_LIBS) -lpthread -lm

LIB_SRC  = $(sort $(wildcard util/*.c global/*.c parsers/*.c aggregate/*.c \
           engine/*.c emit/*/*.c))
CLI_SRC  = $(sort $(wildcard cli/*.c))
TEST_SRC = $(sort $(wildcard tests/t_*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TOOL_SRC = $(sort $(wildcard tests/tool_*.c))
TOOL_BIN = $(TOOL_SRC:tests/%.c=$(BUILD)/tests/%)
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fz_*.c))
FUZZ_REPLAY = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%-replay)

.PHONY: fuzz all deps deps-test check test demo demo-run asan tsan install uninstall \
        clean headers layers update-ref bench bench-dns bench-follow valgrind check-mta
.DEFAULT_GOAL := all

all: $(PROG)

deps:
	@sh scripts/deps.sh build

deps-test:
	@sh scripts/deps.sh test

# flags stamp: changing compiler, flags or training logs rebuilds
# everything
FLAGS_TEXT = $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(if $(PGO_LOGS),PGO_LOGS=$(PGO_LOGS))
$(BUILD)/.flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(FLAGS_TEXT)' | cmp -s - $@ || echo '$(FLAGS_TEXT)' > $@
FORCE:

$(BUILD)/%.o: %.c $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(if $(PGO_AUX),-dumpdir $(PGO_AUX)/$(dir $<) \
	    -dumpbase $(notdir $<)) -c -o $@ $<

ifeq ($(PGO),1)
# the training: an instrumented build, a run of it, its counts in
# $(PGO_DIR)/data; again whenever a source, a header or the flags change
PGO_SRC  = $(LIB_SRC) $(CLI_SRC) \
           $(wildcard util/*.h global/*.h parsers/*.h aggregate/*.h \
           engine/*.h emit/*/*.h cli/*.h)
PGO_GEN_OPT = $(OPT) -fprofile-generate=$(PGO_DIR)/data \
              -fprofile-update=atomic
$(LIB_OBJ) $(CLI_OBJ): $(BUILD)/pgo/trained
$(BUILD)/pgo/trained: $(PGO_SRC) scripts/pgo-train.sh $(BUILD)/.flags \
        $(BUILD)/benchmarks/gen $(BUILD)/benchmarks/replay
	$(MAKE) BUILD=$(BUILD)/pgo/gen PGO=0 PGO_AUX=$(PGO_AUX) \
	    OPT='$(PGO_GEN_OPT)' \
	    $(BUILD)/pgo/gen/$(PROG)
	rm -rf $(PGO_DIR)/data
	PGO_LOGS='$(PGO_LOGS)' sh scripts/pgo-train.sh \
	    $(BUILD)/pgo/gen/$(PROG) $(BUILD)/benchmarks/gen $(PGO_DIR)/train \
	    $(BUILD)/benchmarks/replay
	touch $@
endif

$(BUILD)/lib$(PROG).a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/$(PROG): $(CLI_OBJ) $(BUILD)/lib$(PROG).a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/lib$(PROG).a $(LIBS)

$(PROG): $(BUILD)/$(PROG)
	@if [ "$(BUILD)" = build ]; then cp $< $@; fi

$(BUILD)/tests/%: tests/%.c $(BUILD)/lib$(PROG).a $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/lib$(PROG).a $(LIBS)

check: deps-test
	$(MAKE) test

# fuzz targets built with a plain main: make check replays their corpus
$(BUILD)/fuzz/%-replay: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/replay.o \
        $(BUILD)/cli/conf.o $(BUILD)/lib$(PROG).a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

test: layers $(BUILD)/$(PROG) $(TEST_BIN) $(TOOL_BIN) $(FUZZ_REPLAY) \
        $(BUILD)/benchmarks/gen $(BUILD)/benchmarks/replay
	@BUILD=$(BUILD) sh tests/run.sh

# real MTAs only; a skip (no root, no namespaces) is a failure here
check-mta: $(BUILD)/$(PROG) $(BUILD)/tests/tool_rcvcheck
	MTA_REQUIRE=1 MTA_LOAD=$${MTA_LOAD:-2000} BUILD=$(BUILD) sh tests/it_mta.sh

# deps first, then a new make: pkg-config flags are read after installing
demo: deps
	$(MAKE) demo-run

demo-run: $(PROG) $(BUILD)/tests/tool_rcvcheck
	sh scripts/demo.sh

# the demo's runs under memcheck: any error or leak exits non-zero
VALGRIND_CMD = valgrind -q --leak-check=full \
    --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99
valgrind: $(PROG) $(BUILD)/tests/tool_rcvcheck
	VALGRIND='$(VALGRIND_CMD)' OUT=build/valgrind-out sh scripts/demo.sh

asan:
	TEST_NET_TIMEOUT=30 $(MAKE) BUILD=build-asan PGO=0 \
	    OPT='-O1 -g -fno-omit-frame-pointer' \
	    SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' test

tsan:
	TEST_NET_TIMEOUT=60 $(MAKE) BUILD=build-tsan PGO=0 OPT='-O1 -g' \
	    SAN='-fsanitize=thread' test

$(BUILD)/benchmarks/gen: benchmarks/gen.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -o $@ $< -lm

# not part of check: a single-node Slurm cluster runs aggregate as a job
# array and merge + report as a dependent job (scripts/check-slurm.sh)
.PHONY: check-slurm
check-slurm: $(BUILD)/$(PROG) $(BUILD)/benchmarks/gen
	@sh scripts/deps.sh slurm
	BUILD=$(BUILD) sh scripts/check-slurm.sh

# not part of check: benchmarks never gate a change (they are measured).
# Seven logs of BENCH_MB (default 250) MB each (benchmarks/shapes.sh),
# the build as made and the same sources with PGO=0 (build-nopgo): one
# table, printed and written into docs/benchmarks.md (benchmarks/run.sh)
BENCH_BUILD0 ?= build-nopgo
bench: $(BUILD)/$(PROG) $(BUILD)/benchmarks/gen $(BUILD)/benchmarks/replay \
        $(BUILD)/benchmarks/floor $(BUILD)/benchmarks/xcore
	@sh scripts/deps.sh bench
	$(MAKE) BUILD=$(BENCH_BUILD0) PGO=0 $(BENCH_BUILD0)/$(PROG)
	BUILD=$(BUILD) BUILD0=$(BENCH_BUILD0) sh benchmarks/run.sh \
	    $(or $(BENCH_MB),250)

$(BUILD)/benchmarks/replay: benchmarks/replay.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -o $@ $<

$(BUILD)/benchmarks/floor: benchmarks/floor.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -o $@ $<

$(BUILD)/benchmarks/xcore: benchmarks/xcore.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -pthread -o $@ $<

# mailtlsrpt follow: throughput, lag at 1,000 lines/s, CPU at 100 lines/s
# (benchmarks/follow.sh); not part of check either
bench-follow: $(BUILD)/$(PROG) $(BUILD)/benchmarks/gen
	BUILD=$(BUILD) sh benchmarks/follow.sh $(or $(BENCH_FOLLOW_LINES),2000000) \
	    $(or $(BENCH_FOLLOW_SECONDS),60)

# policy resolution of BENCH_DNS_DOMAINS domains over nsd + unbound
# (benchmarks/dns_scale.sh); not part of check either
BENCH_DNS_DOMAINS ?= 100000
bench-dns: $(BUILD)/$(PROG)
	sh benchmarks/dns_scale.sh $(BENCH_DNS_DOMAINS) $(BENCH_DNS_WORKERS)

# libFuzzer (clang): each target FUZZ_SECONDS, corpus in build-fuzz/;
# -O2: fz_line runs 16 % more inputs per second than at -O1, and the
# sanitizers and coverage work the same
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
FUZZ_TARGETS ?=
fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang PGO=0 OPT='-O2 -g' \
	    SAN='-fsanitize=address,undefined -fsanitize=fuzzer-no-link \
	    -fsanitize-coverage-ignorelist=tests/fuzz/ignorelist.txt' \
	    $(FUZZ_BUILD)/lib$(PROG).a $(FUZZ_BUILD)/cli/conf.o \
	    $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/tests/fuzz/%.o)
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD=$(FUZZ_BUILD) \
	    FUZZ_TARGETS='$(FUZZ_TARGETS)' LIBS='$(LIBS)' sh scripts/fuzz.sh

# the Debian package: dpkg-buildpackage -us -uc -b on a copy of this
# tree in $(DEB_OUT), where the .deb, .changes and .buildinfo land
# (scripts/deb.sh; "make deb PGO=0" builds it without profile)
DEB_OUT ?= build/deb
.PHONY: deb
deb:
	@sh scripts/deps.sh deb
	PGO=$(PGO) sh scripts/deb.sh $(DEB_OUT)

update-ref: $(BUILD)/$(PROG)
	UPDATE_REF=1 BUILD=$(BUILD) sh tests/cases.sh
	UPDATE_REF=1 BUILD=$(BUILD) sh tests/it_guess.sh

# data flows one way: each folder includes only the layers below it
# (the table and its order: scripts/layers.sh, docs/architecture.md)
layers:
	@sh scripts/layers.sh

headers:
	@for h in $$(find util global parsers aggregate engine emit cli \
	    -name '*.h'); do \
	    echo "#include \"$$h\"" | $(CC) $(ALL_CFLAGS) -x c -fsyntax-only - \
	    -I. || exit 1; done; echo "headers: all compile on their own"

# systemd units (docs/systemd.md): every docs/mailtlsrpt*.service and
# .timer, so that a new unit needs no change here nor in debian/rules;
# ExecStart names $(PREFIX)/bin. The Debian package sets UNITDIR to
# /lib/systemd/system, where Debian 12 keeps units.
UNITDIR ?= $(PREFIX)/lib/systemd/system
UNITS    = $(notdir $(sort $(wildcard docs/$(PROG)*.service \
           docs/$(PROG)*.timer)))
DOCDIR  ?= $(PREFIX)/share/doc/$(PROG)
# README.md and the docs it links to, in the same relative places
DOCS     = $(wildcard docs/*.md) docs/$(PROG).conf.example \
           docs/$(PROG)-relay.conf docs/summary.png \
           docs/$(PROG)-alerts.yml docs/$(PROG)-alerts.test.yml
.PHONY: install-units install-bin install-docs
install-units:
	install -d $(DESTDIR)$(UNITDIR)
	for u in $(UNITS); do \
	    sed 's|@BINDIR@|$(PREFIX)/bin|g' docs/$$u >$(DESTDIR)$(UNITDIR)/$$u \
	    && chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done

# what the last build built (in $(BUILD)), as it is: "make PGO=0" then
# "make install" must not start a profile-guided build; without a build,
# one is made
install-bin:
	@if [ ! -x $(BUILD)/$(PROG) ]; then $(MAKE) $(BUILD)/$(PROG); fi
	@for f in $(LIB_SRC) $(CLI_SRC) $(wildcard */*.h */*/*.h); do \
	    if [ "$$f" -nt $(BUILD)/$(PROG) ]; then echo "make install: $$f is" \
	    "newer than the $(PROG) built last; installing that build (make" \
	    "first to rebuild)" >&2; break; fi; done
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/$(PROG) $(DESTDIR)$(PREFIX)/bin/$(PROG)

install-docs:
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(DOCDIR)/docs \
	    $(DESTDIR)$(DOCDIR)/docs/parsers $(DESTDIR)$(DOCDIR)/docs/internals
	install -m 644 docs/$(PROG).1 $(DESTDIR)$(PREFIX)/share/man/man1/$(PROG).1
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 644 $(DOCS) $(DESTDIR)$(DOCDIR)/docs/
	install -m 644 docs/parsers/*.md $(DESTDIR)$(DOCDIR)/docs/parsers/
	install -m 644 docs/internals/*.md $(DESTDIR)$(DOCDIR)/docs/internals/

install: install-bin install-docs install-units

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/$(PROG) \
	    $(DESTDIR)$(PREFIX)/share/man/man1/$(PROG).1
	rm -rf $(DESTDIR)$(DOCDIR)
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done

clean:
	rm -rf build build-asan build-tsan build-fuzz build-nopgo $(PROG) out

# every object and test program depends on the headers it includes
-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d)
