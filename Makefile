# masqgen - build, test, install.
#
#   make                   build ./masqgen
#   make check             every test (tests/run.sh); kernel tests need root
#   make check SANITIZE=1  the same with ASan and UBSan
#   make hdr-check         compile each header of src/ on its own (part of check)
#   make golden            rewrite golden outputs and pinned messages
#   make fuzz              build and briefly run the libFuzzer targets
#   make bench             the benchmark (tests/bench; exits 1 when a goal is missed)
#   make bench-report      a shorter benchmark that only reports (CI)
#   make install           PREFIX=/usr/local DESTDIR=
#
# Warnings are errors for check, golden, hdr-check and DEVELOPER=1 builds,
# not for a plain `make` (a packager's newer compiler may warn about
# more). The flags are recorded in $(BUILD)/cflags: objects built with
# other flags are rebuilt.

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
SYSTEMDDIR ?= /lib/systemd/system
DESTDIR ?=
VERSION := 0.1

PKGS := libnftnl libmnl yaml-0.1
CC ?= cc
BISON ?= bison
FLEX ?= flex

ifeq ($(SANITIZE),1)
BUILD := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD := build/default
SANFLAGS :=
endif

ifneq ($(filter check golden hdr-check,$(MAKECMDGOALS)),)
DEVELOPER := 1
# the tests' own make runs (suite-install) build with the same flags
export DEVELOPER
endif
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN += -Werror
BISON_WERROR := -Werror
endif
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE -pthread \
	-DMASQGEN_VERSION='"$(VERSION)"' -Isrc -I$(BUILD) \
	$(shell pkg-config --cflags $(PKGS))
# -pthread: apply writes the last good ruleset in a thread (lastgood.c)
LIBS := $(shell pkg-config --libs $(PKGS)) -pthread
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

SRCS := $(sort $(wildcard src/*.c))
TEMPLATES := $(sort $(wildcard templates/*.in))
OBJS := $(SRCS:src/%.c=$(BUILD)/%.o) $(BUILD)/parser.o $(BUILD)/scanner.o $(BUILD)/templates.o
LIB_OBJS := $(filter-out $(BUILD)/main.o,$(OBJS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)

ifeq ($(SANITIZE),1)
PROG := $(BUILD)/masqgen
else
PROG := masqgen
endif

all: $(PROG)

# The flags the objects were built with: when they change, everything is
# rebuilt (a plain build and a -Werror one share $(BUILD)).
FLAGS_SQ := $(subst ','\'',$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS))
$(BUILD)/cflags: FORCE | $(BUILD)
	@printf '%s\n' '$(FLAGS_SQ)' | cmp -s - $@ || printf '%s\n' '$(FLAGS_SQ)' >$@

FORCE:

$(PROG): $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(BUILD)/parser.c $(BUILD)/parser.h: grammar/parser.y | $(BUILD)
	$(BISON) -Wall $(BISON_WERROR) --defines=$(BUILD)/parser.h -o $(BUILD)/parser.c $<

$(BUILD)/scanner.c $(BUILD)/scanner.h: grammar/scanner.l | $(BUILD)
	$(FLEX) --header-file=$(BUILD)/scanner.h -o $(BUILD)/scanner.c $<

# flex output is not ours to lint: only the warnings that matter there
$(BUILD)/scanner.o: $(BUILD)/scanner.c $(BUILD)/parser.h $(BUILD)/cflags
	$(CC) $(filter-out -Wmissing-prototypes -Wshadow,$(ALL_CFLAGS)) \
		-Wno-sign-compare -Wno-unused-function -MMD -MP -c -o $@ $<

$(BUILD)/parser.o: $(BUILD)/parser.c $(BUILD)/scanner.h $(BUILD)/cflags
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# templates/*.in become C strings (template.h), so the binary needs no data files
$(BUILD)/templates.c: $(TEMPLATES) Makefile | $(BUILD)
	{ echo '#include "template.h"'; echo 'const struct template_text template_texts[] = {'; \
	for f in $(TEMPLATES); do printf '\t{"%s",\n' "$${f##*/}"; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' "$$f"; \
		printf '\t},\n'; done; echo '};'; \
	echo 'const size_t template_n_texts = sizeof(template_texts) / sizeof(template_texts[0]);'; \
	} >$@.tmp && mv $@.tmp $@

$(BUILD)/templates.o: $(BUILD)/templates.c src/template.h $(BUILD)/cflags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The generated headers exist before any object is compiled; only the
# objects that include them depend on them (through the .d files).
$(BUILD)/%.o: src/%.c $(BUILD)/cflags | $(BUILD) $(BUILD)/parser.h $(BUILD)/scanner.h
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(LIB_OBJS) $(wildcard tests/unit/*.h) $(BUILD)/cflags | $(BUILD)
	@mkdir -p $(BUILD)/unit
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS)

$(BUILD):
	mkdir -p $(BUILD)

units: $(UNIT_BINS)

# The checker of generated ipchains/ipfwadm command lines (tests/suite-legacy.sh)
LEGACY_CHECK := $(BUILD)/check_legacy
$(LEGACY_CHECK): tests/legacy/check_legacy.c $(BUILD)/cflags | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

# Each header of src/ compiles on its own (it includes what it uses).
HDRS := $(sort $(wildcard src/*.h))
hdr-check: $(HDRS:src/%.h=$(BUILD)/hdr/%.ok)

$(BUILD)/hdr/%.ok: src/%.h $(HDRS) $(BUILD)/cflags | $(BUILD)
	@mkdir -p $(BUILD)/hdr
	$(CC) $(ALL_CFLAGS) -fsyntax-only -x c $< && touch $@

check: $(PROG) units $(LEGACY_CHECK) hdr-check
	MASQGEN=$(abspath $(PROG)) UNIT_DIR=$(abspath $(BUILD)/unit) \
		LEGACY_CHECK=$(abspath $(LEGACY_CHECK)) sh tests/run.sh

golden: $(PROG) units
	MASQGEN=$(abspath $(PROG)) UNIT_DIR=$(abspath $(BUILD)/unit) sh tests/run.sh --golden

bench: $(PROG)
	MASQGEN=$(abspath $(PROG)) sh tests/bench/run.sh

# CI: 1k and 10k forwards (compile also at 100k, with its max RSS), the
# change row at 10k, three rounds; timing never fails it, a command that
# fails does.
bench-report: $(PROG)
	BENCH_REPORT=1 BENCH_SIZES="1000 10000" BENCH_CHANGE=10000 BENCH_ROUNDS=3 \
		BENCH_BUDGET=30 MASQGEN=$(abspath $(PROG)) sh tests/bench/run.sh

# Fuzzing: tests/fuzz/fuzz_NAME.c is a libFuzzer target, seeded from
# tests/fuzz/seeds/NAME/; each runs FUZZ_SECONDS. The library objects are
# rebuilt with clang under build/fuzz with ASan, UBSan and fuzzer coverage
# (warnings stay on but are not fatal there: gcc's -Werror build is the lint).
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
fuzz:
	$(MAKE) BUILD=build/fuzz CC=clang CFLAGS='-O1 -g -Wno-error' \
		SANFLAGS='$(FUZZ_SAN) -fsanitize=fuzzer-no-link' fuzz-run

fuzz-run: $(FUZZ_TARGETS:%=$(BUILD)/%)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/corpus-$$t; \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
		$(BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
			-rss_limit_mb=2048 -close_fd_mask=2 -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/$$t- \
			$(BUILD)/corpus-$$t tests/fuzz/seeds/$${t#fuzz_}; \
	done

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS)

# The example policy goes to $(SYSCONFDIR)/masqgen only when none is there;
# the unit is written by the installed masqgen for the installed paths.
install: $(PROG)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(SYSCONFDIR)/masqgen $(DESTDIR)$(SYSTEMDDIR) \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/masqgen/fail2ban/action.d
	install -m 755 $(PROG) $(DESTDIR)$(SBINDIR)/masqgen
	install -m 644 man/masqgen.8 $(DESTDIR)$(MANDIR)/man8/masqgen.8
	install -m 644 man/masqgen.masq.5 $(DESTDIR)$(MANDIR)/man5/masqgen.masq.5
	install -m 644 templates/masqgen.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/masqgen
	install -m 644 templates/fail2ban/action.d/masqgen.conf \
		$(DESTDIR)$(PREFIX)/share/masqgen/fail2ban/action.d/masqgen.conf
	[ -e $(DESTDIR)$(SYSCONFDIR)/masqgen/gateway.masq ] || \
		install -m 644 rules/stronger.masq $(DESTDIR)$(SYSCONFDIR)/masqgen/gateway.masq
	$(DESTDIR)$(SBINDIR)/masqgen init-script --style systemd --root $(or $(DESTDIR),/) \
		-o $(DESTDIR)$(SYSTEMDDIR)/masqgen.service $(DESTDIR)$(SYSCONFDIR)/masqgen/gateway.masq

clean:
	rm -rf build masqgen

.PHONY: all check golden bench bench-report fuzz fuzz-run install clean units hdr-check FORCE

-include $(wildcard $(BUILD)/*.d)

# Debian packages needed to build and to run every test (as root).
# miniupnpd-nftables, miniupnpc and natpmpc: tests/suite-kernel-upnp.sh;
# keepalived and conntrackd: tests/suite-hacheck.sh, suite-kernel-hapair.sh
# and suite-kernel-doctor-cluster.sh.
DEB_PKGS := build-essential pkg-config bison flex clang libclang-rt-14-dev \
	libnftnl-dev libmnl-dev libyaml-dev nftables iptables iproute2 \
	iputils-ping netcat-openbsd socat conntrack kmod procps \
	mandoc shellcheck valgrind systemd time strace curl \
	miniupnpd-nftables miniupnpc natpmpc keepalived conntrackd
# No daemon may start on install: without a policy-rc.d of the machine's
# own, one that refuses every start (exit 101) is there for the install
# and removed after it.
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		rcd=; \
		if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && \
			chmod 755 /usr/sbin/policy-rc.d && rcd=1; \
		fi; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		st=$$?; \
		if [ -n "$$rcd" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
		exit $$st; \
	fi

.PHONY: deps
