# asmgate - strong-name and vendor-key gate for .NET assemblies.
#
# Targets:
#   all (default)  build/asmgate, build/libasmgate.a (static, PIC) and
#                  build/libasmgate.so (shared, soname libasmgate.so.0),
#                  each exporting only asmgate_* symbols, and
#                  build/asmgate.pc
#   asan           build/asan/asmgate with -fsanitize=address,undefined
#   check          deps, both builds, unit tests (plain and sanitized),
#                  command tests against both binaries, fuzz corpus replay,
#                  the libraries' exported symbols (symbols), a C and a C++
#                  program built on the installed library (consumer)
#   demo           build and run the main job on samples/
#   deps           install missing build packages (apt-get as root)
#   fuzz           libFuzzer harnesses (clang), each run FUZZ_SECONDS
#   bench          verification speed against `openssl dgst`, over
#                  packages against `unzip -tqq` (bench-zip alone) and
#                  over an installer database against `msiextract`
#                  (bench-msi alone), `policy lint` of a 1 MiB policy
#                  of attributes against `cat` and `xmllint` (bench-policy
#                  alone), the reports' time and peak RSS over 10 000
#                  files x 16 hosts (bench-reports alone), and sign of a
#                  1000 MiB assembly: memory and time against `openssl
#                  dgst` (bench-sign alone), `bindings show` and
#                  `lint` of a 21 MB UTF-16 binding file (bench-bindings
#                  alone)
#   xcheck-zip     the ZIP reader against unzip / Python's zipfile
#   xcheck-cab     the cabinet reader against cabextract
#   xcheck-msi     the installer-database reader against msiextract
#   xcheck-authenticode  Authenticode states against osslsigncode verify
#   bench-authenticode   verify with Authenticode against openssl dgst
#                  -sha1 plus -sha256 over signed copies of the GAC
#   valgrind       the command's black-box tests under Valgrind memcheck
#   tsan           verify and inspect with several jobs under
#                  ThreadSanitizer (not in check)
#   symbols        fail on any exported symbol not named asmgate_*
#   consumer       install into a temporary directory, build a C and a
#                  C++ program with pkg-config alone, shared and static
#   install        the command, man page, schema, POLICY.md, asmgate.h,
#                  libasmgate.a, libasmgate.so* and LIBDIR/pkgconfig/asmgate.pc
#   uninstall, clean, lint
#
# Knobs (override on the command line or in the environment):
#   PREFIX DESTDIR BINDIR MANDIR LIBDIR INCLUDEDIR DATADIR DOCDIR
#                                                   install locations
#   CC CXX CFLAGS LDFLAGS CPPFLAGS                  user flags, appended last
#   PKG_CONFIG                                      pkg-config program
#   NM OBJCOPY LD                                   binutils (partial link)

VERSION    = 0.1.0
# The shared library's soname carries the major version.
SOMAJOR    = $(firstword $(subst ., ,$(VERSION)))
SONAME     = libasmgate.so.$(SOMAJOR)
SOFILE     = libasmgate.so.$(VERSION)
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/asmgate
DOCDIR    ?= $(PREFIX)/share/doc/asmgate
PKG_CONFIG ?= pkg-config
NM        ?= nm
OBJCOPY   ?= objcopy
CFLAGS    ?= -O2 -g
FUZZ_CC   ?= clang
FUZZ_SECONDS ?= 60

B  = build
BA = build/asan

# Quiet output; `make V=1` shows the full commands.
ifeq ($(V),1)
Q =
say = @true
else
Q = @
say = @printf '  %-6s %s\n'
endif

# Packages: pkg-config modules and the Debian packages that provide them.
PC_MODULES   = libcrypto libxml-2.0 zlib libmspack
PC_TEST      = cmocka
DEB_PACKAGES = pkg-config libssl-dev libxml2-dev zlib1g-dev libmspack-dev \
               libcmocka-dev
# python3 is used only by the black-box tests (tests/cli), to check the
# structure of JSON, JUnit and SARIF output; g++ only by tests/consumer,
# to build the library's example program as C++; without them those
# checks are counted as skipped. Installed when missing, never needed to
# build.
DEB_TEST_PACKAGES = python3 g++

WARN = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
       -Wmissing-prototypes -Wcast-qual -Wvla -Wundef -Wpointer-arith \
       -Wwrite-strings
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong $(PIC)
# Position-independent executables; library objects are -fPIC (below), so
# one object set makes both the archive and the shared library.
PIC = -fPIE
HARDEN_LD = -pie -Wl,-z,relro,-z,now,-z,noexecstack
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
      -fno-omit-frame-pointer

# Library modules, in dependency order (docs/ARCHITECTURE.md).
MODULES = rd ctr pe keys verify policy bind scan
LIB_SRCS = $(foreach m,$(MODULES),$(wildcard $(m)/*.c))
CMD_SRCS = $(wildcard cmd/*.c)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_NAMES = $(notdir $(basename $(UNIT_SRCS)))
FUZZ_SRCS = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES = $(notdir $(basename $(FUZZ_SRCS)))

LIB_OBJS  = $(LIB_SRCS:%.c=$(B)/%.o)
CMD_OBJS  = $(CMD_SRCS:%.c=$(B)/%.o)
LIB_AOBJS = $(LIB_SRCS:%.c=$(BA)/%.o)
CMD_AOBJS = $(CMD_SRCS:%.c=$(BA)/%.o)

$(LIB_OBJS) $(LIB_AOBJS): PIC = -fPIC

# Two kinds of archive. build/internal.a holds every library object as
# compiled, module-internal functions (rd_*, pe_*, ...) global: the
# command, the unit tests, the fuzz replays and the test tools link it.
# build/libasmgate.a, the installed one, is a single relocatable object
# (ld -r of all library objects) in which every symbol not named
# asmgate_* is made local, so programs see only the public API; the
# shared library exports the same names through a version script.
INT_LIB  = $(B)/internal.a
INT_ALIB = $(BA)/internal.a

# build/config.mk holds what pkg-config said; making it first runs the
# dependency check, so a fresh machine installs packages before any
# compiler flag is computed.
NOCONFIG_GOALS = clean uninstall deps help
ifeq ($(filter $(NOCONFIG_GOALS),$(MAKECMDGOALS)),)
-include $(B)/config.mk
endif

CPPFLAGS_ALL = -Iinclude -I. -DASMGATE_VERSION_STRING='"$(VERSION)"' \
	-DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED $(CPPFLAGS)
CFLAGS_ALL  = -std=c11 -pthread $(WARN) $(HARDEN) $(PC_CFLAGS) $(CFLAGS)
LDLIBS_ALL  = $(PC_LIBS)
TEST_CFLAGS = $(CFLAGS_ALL) $(PC_TEST_CFLAGS) -DSAMPLES_DIR='"$(CURDIR)/samples"'
TEST_LIBS   = $(PC_TEST_LIBS) $(LDLIBS_ALL)

.PHONY: all asan check demo deps fuzz fuzz-replay bench bench-zip bench-msi \
	bench-policy bench-reports bench-sign bench-bindings valgrind \
	install uninstall \
	clean lint unit unit-asan cli cli-asan headertest help xcheck-zip \
	xcheck-cab xcheck-msi symbols consumer FORCE

all: $(B)/asmgate $(B)/libasmgate.a $(B)/libasmgate.so $(B)/asmgate.pc

help:
	@sed -n '2,41p' Makefile | sed 's/^# \{0,1\}//'

# ---------------------------------------------------------------- deps
deps:
	@missing=""; pkgs=""; \
	if ! command -v $(PKG_CONFIG) >/dev/null 2>&1; then \
		missing="$(DEB_PACKAGES)"; \
	else \
		for m in $(PC_MODULES) $(PC_TEST); do \
			$(PKG_CONFIG) --exists $$m || missing="$$missing $$m"; \
		done; \
	fi; \
	if [ -n "$$missing" ]; then pkgs="$(DEB_PACKAGES)"; fi; \
	tpkgs=""; \
	command -v python3 >/dev/null 2>&1 || tpkgs=" python3"; \
	command -v $(firstword $(CXX)) >/dev/null 2>&1 || \
		tpkgs="$$tpkgs g++"; \
	pkgs="$$pkgs $$tpkgs"; \
	pkgs=$$(echo $$pkgs); \
	if [ -z "$$pkgs" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "deps: installing $$pkgs"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends $$pkgs \
			>/dev/null || exit 1; \
	elif [ -n "$$missing" ]; then \
		echo "deps: missing build dependencies; install them with:" >&2; \
		echo "  sudo apt-get install $$pkgs" >&2; \
		exit 1; \
	else \
		echo "deps: not found:$$tpkgs: the tests' JSON, JUnit and" \
		    "SARIF checks (python3) or the C++ library consumer" \
		    "(g++) will be skipped; install with:" >&2; \
		echo "  sudo apt-get install$$tpkgs" >&2; \
	fi

$(B)/config.mk: Makefile
	@$(MAKE) --no-print-directory deps
	@mkdir -p $(B)
	@{ echo "PC_CFLAGS = $$($(PKG_CONFIG) --cflags $(PC_MODULES))"; \
	   echo "PC_LIBS = $$($(PKG_CONFIG) --libs $(PC_MODULES))"; \
	   echo "PC_TEST_CFLAGS = $$($(PKG_CONFIG) --cflags $(PC_TEST))"; \
	   echo "PC_TEST_LIBS = $$($(PKG_CONFIG) --libs $(PC_TEST))"; } > $@.tmp
	@mv $@.tmp $@

# --------------------------------------------------------------- build
$(B)/%.o: %.c $(B)/config.mk
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BA)/%.o: %.c $(B)/config.mk
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(SAN) -MMD -MP -c $< -o $@

$(INT_LIB): $(LIB_OBJS)
	@rm -f $@
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^

$(INT_ALIB): $(LIB_AOBJS)
	@rm -f $@
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^

# The public archive: one partial link, then only asmgate_* stay global
# (undefined references to libc, OpenSSL, ... are left as they are).
$(B)/libasmgate.a: $(LIB_OBJS)
	@rm -f $@ $(B)/libasmgate.o $(B)/libasmgate.keep
	$(say) AR $@
	$(Q)$(LD) -r -o $(B)/libasmgate.o $(LIB_OBJS)
	$(Q)$(NM) -g --defined-only $(B)/libasmgate.o | \
		awk 'NF == 3 && $$3 ~ /^asmgate_/ { print $$3 }' \
		> $(B)/libasmgate.keep
	$(Q)$(OBJCOPY) --keep-global-symbols=$(B)/libasmgate.keep \
		$(B)/libasmgate.o
	$(Q)$(AR) rcs $@ $(B)/libasmgate.o
	@rm -f $(B)/libasmgate.o $(B)/libasmgate.keep

$(B)/libasmgate.map: Makefile
	@mkdir -p $(B)
	@printf '{\n\tglobal: asmgate_*;\n\tlocal: *;\n};\n' > $@

# The shared library: soname libasmgate.so.MAJOR, real file
# libasmgate.so.VERSION, and the two links a build and a loader look for.
$(B)/$(SOFILE): PIC = -fPIC
$(B)/$(SOFILE): $(LIB_OBJS) $(B)/libasmgate.map
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ALL) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=$(B)/libasmgate.map -Wl,--no-undefined \
		-Wl,-z,relro,-z,now,-z,noexecstack $(LDFLAGS) -o $@ \
		$(LIB_OBJS) $(LDLIBS_ALL)

$(B)/libasmgate.so: $(B)/$(SOFILE)
	$(Q)ln -sf $(SOFILE) $(B)/$(SONAME)
	$(Q)ln -sf $(SONAME) $@

# pkg-config file; rewritten when the install locations change.
$(B)/asmgate.pc: FORCE
	@mkdir -p $(B)
	@{ echo "prefix=$(PREFIX)"; \
	   echo "libdir=$(LIBDIR)"; \
	   echo "includedir=$(INCLUDEDIR)"; \
	   echo ""; \
	   echo "Name: asmgate"; \
	   echo "Description: strong-name and vendor-key gate for .NET assemblies"; \
	   echo "Version: $(VERSION)"; \
	   echo "Requires.private: $(PC_MODULES)"; \
	   echo "Cflags: -I\$${includedir}"; \
	   echo "Libs: -L\$${libdir} -lasmgate"; \
	   echo "Libs.private: -pthread"; } > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

FORCE:

$(B)/asmgate: $(CMD_OBJS) $(INT_LIB)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ALL) $(HARDEN_LD) $(LDFLAGS) -o $@ $(CMD_OBJS) \
		$(INT_LIB) $(LDLIBS_ALL)

asan: $(BA)/asmgate

$(BA)/asmgate: $(CMD_AOBJS) $(INT_ALIB)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ALL) $(SAN) $(HARDEN_LD) $(LDFLAGS) -o $@ $(CMD_AOBJS) \
		$(INT_ALIB) $(LDLIBS_ALL)

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(LIB_AOBJS:.o=.d) \
	$(CMD_AOBJS:.o=.d)

# --------------------------------------------------------------- tests
$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(INT_LIB)
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(CPPFLAGS_ALL) -Itests/unit $(TEST_CFLAGS) $(HARDEN_LD) \
		$(LDFLAGS) -o $@ $< $(INT_LIB) $(TEST_LIBS)

$(BA)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(INT_ALIB)
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(CPPFLAGS_ALL) -Itests/unit $(TEST_CFLAGS) $(SAN) $(HARDEN_LD) \
		$(LDFLAGS) -o $@ $< $(INT_ALIB) $(TEST_LIBS)

$(B)/fuzz/replay_%: tests/fuzz/%.c tests/fuzz/fuzz.h tests/fuzz/replay.c \
		$(INT_ALIB)
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(SAN) $(HARDEN_LD) $(LDFLAGS) \
		-o $@ $< tests/fuzz/replay.c $(INT_ALIB) $(LDLIBS_ALL)

unit: $(UNIT_NAMES:%=$(B)/tests/%)
	@sh tests/run-unit.sh $(B)/tests $(UNIT_NAMES)

unit-asan: $(UNIT_NAMES:%=$(BA)/tests/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 sh tests/run-unit.sh $(BA)/tests $(UNIT_NAMES)

# Test-only LD_PRELOAD shim: open() refuses O_TMPFILE, so t_sign.sh can
# drive the atomic writer's named-temporary path (tests/cli/no_tmpfile.c).
$(B)/shim/no_tmpfile.so: tests/cli/no_tmpfile.c
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) -shared -fPIC -O1 -o $@ $< -ldl

cli: $(B)/asmgate $(B)/shim/no_tmpfile.so
	@NO_TMPFILE_SO=$(CURDIR)/$(B)/shim/no_tmpfile.so \
	 sh tests/cli/run.sh $(B)/asmgate

cli-asan: $(BA)/asmgate $(B)/shim/no_tmpfile.so
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 NO_TMPFILE_SO=$(CURDIR)/$(B)/shim/no_tmpfile.so \
	 sh tests/cli/run.sh $(BA)/asmgate

# The command's black-box tests under Valgrind (slow; not part of check).
valgrind: $(B)/asmgate
	@sh tests/cli/valgrind.sh $(B)/asmgate

fuzz-replay: $(FUZZ_NAMES:%=$(B)/fuzz/replay_%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 sh tests/fuzz/replay-all.sh $(B)/fuzz $(FUZZ_NAMES)

# A container lister on the library, for tests/xcheck-zip.sh.
$(B)/zipls: tests/xcheck/zipls.c $(INT_LIB)
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(HARDEN_LD) $(LDFLAGS) -o $@ $< \
		$(INT_LIB) $(LDLIBS_ALL)

# Member lists and contents against Info-ZIP unzip / Python's zipfile.
xcheck-zip: $(B)/zipls
	@sh tests/xcheck-zip.sh $(B)/zipls

# Cabinet member lists and contents against cabextract (skipped, with a
# message, when it is not installed).
xcheck-cab: $(B)/zipls
	@sh tests/xcheck-cab.sh $(B)/zipls

xcheck-msi: $(B)/zipls
	@sh tests/xcheck-msi.sh $(B)/zipls

# Authenticode states against osslsigncode verify (samples/authenticode
# and signed PE files on the machine; skipped, with a message, without
# osslsigncode).
.PHONY: xcheck-authenticode bench-authenticode tsan
xcheck-authenticode: $(B)/asmgate
	@sh tests/xcheck-authenticode.sh $(B)/asmgate

headertest: $(B)/config.mk
	@mkdir -p $(B)
	$(CC) -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only \
		-x c include/asmgate.h

# Exported symbols of both libraries: asmgate_* only.
symbols: $(B)/libasmgate.a $(B)/libasmgate.so
	@NM="$(NM)" CC="$(CC)" sh tests/symbols.sh $(B)/libasmgate.a \
		$(B)/$(SOFILE) include/asmgate.h

# A C and a C++ program built against an installed copy with pkg-config.
consumer: all
	@MAKE="$(MAKE)" PKG_CONFIG="$(PKG_CONFIG)" CC="$(CC)" CXX="$(CXX)" \
	 sh tests/consumer/run.sh

check: all asan headertest lint symbols
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory unit-asan
	@$(MAKE) --no-print-directory cli
	@$(MAKE) --no-print-directory cli-asan
	@$(MAKE) --no-print-directory fuzz-replay
	@$(MAKE) --no-print-directory consumer
	@echo "check: all suites passed"

# ---------------------------------------------------------------- demo
demo: all
	@sh samples/demo.sh $(B)/asmgate

# ---------------------------------------------------------------- fuzz
fuzz: $(B)/config.mk
	@sh tests/fuzz/run-fuzz.sh "$(FUZZ_CC)" "$(FUZZ_SECONDS)" \
		"$(CPPFLAGS_ALL) $(PC_CFLAGS)" "$(PC_LIBS)" $(FUZZ_NAMES)

bench: all
	@sh tests/bench/bench.sh $(B)/asmgate
	@sh tests/bench/bench-zip.sh $(B)/asmgate
	@sh tests/bench/bench-msi.sh $(B)/asmgate
	@sh tests/bench/policy-attrs.sh $(B)/asmgate
	@sh tests/bench/reports.sh $(B)/asmgate
	@sh tests/bench/sign-large.sh $(B)/asmgate

bench-reports: all
	@sh tests/bench/reports.sh $(B)/asmgate

bench-sign: all
	@sh tests/bench/sign-large.sh $(B)/asmgate

bench-zip: all
	@sh tests/bench/bench-zip.sh $(B)/asmgate

bench-msi: all
	@sh tests/bench/bench-msi.sh $(B)/asmgate

bench-policy: all
	@sh tests/bench/policy-attrs.sh $(B)/asmgate

# `bindings show` and `lint` of a generated 21 MB UTF-16 binding file.
bench-bindings: all
	@sh tests/bench/bindings-large.sh $(B)/asmgate
# verify with Authenticode over signed copies of the GAC against openssl
# dgst -sha1 plus -sha256 (osslsigncode signs the copies, cached).
bench-authenticode: all
	@sh tests/bench/bench-authenticode.sh $(B)/asmgate

# The scan's worker threads under ThreadSanitizer (tests/tsan.sh); not
# part of check: OpenSSL and libxml2 are not instrumented.
tsan: $(B)/config.mk
	@sh tests/tsan.sh "$(CC)" "$(CPPFLAGS_ALL) $(PC_CFLAGS)" "$(PC_LIBS)"

# ---------------------------------------------------------------- lint
# One-way module dependencies (docs/ARCHITECTURE.md), checked by grep.
lint:
	@sh tests/lint.sh

# ------------------------------------------------------------- install
# The man page names the installed POLICY.md and schema: the default
# locations it is written with become the ones of this install.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	install -m 755 $(B)/asmgate $(DESTDIR)$(BINDIR)/asmgate
	install -m 644 $(B)/libasmgate.a $(DESTDIR)$(LIBDIR)/libasmgate.a
	install -m 755 $(B)/$(SOFILE) $(DESTDIR)$(LIBDIR)/$(SOFILE)
	ln -sf $(SOFILE) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libasmgate.so
	install -m 644 $(B)/asmgate.pc $(DESTDIR)$(LIBDIR)/pkgconfig/asmgate.pc
	install -m 644 include/asmgate.h $(DESTDIR)$(INCLUDEDIR)/asmgate.h
	sed -e 's|/usr/local/share/doc/asmgate/|$(DOCDIR)/|g' \
	    -e 's|/usr/local/share/asmgate/|$(DATADIR)/|g' \
	    docs/asmgate.1 >$(B)/asmgate.1
	install -m 644 $(B)/asmgate.1 $(DESTDIR)$(MANDIR)/man1/asmgate.1
	install -m 644 policy/asmgate-policy.xsd \
		$(DESTDIR)$(DATADIR)/asmgate-policy.xsd
	install -m 644 docs/POLICY.md $(DESTDIR)$(DOCDIR)/POLICY.md

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/asmgate $(DESTDIR)$(LIBDIR)/libasmgate.a \
		$(DESTDIR)$(LIBDIR)/$(SOFILE) $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libasmgate.so \
		$(DESTDIR)$(LIBDIR)/pkgconfig/asmgate.pc \
		$(DESTDIR)$(INCLUDEDIR)/asmgate.h \
		$(DESTDIR)$(MANDIR)/man1/asmgate.1 \
		$(DESTDIR)$(DATADIR)/asmgate-policy.xsd \
		$(DESTDIR)$(DOCDIR)/POLICY.md
	-rmdir $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf $(B)
