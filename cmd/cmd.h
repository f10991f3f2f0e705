/*
 * cmd.h - the asmgate command: shared declarations of the subcommands.
 *
 * cmd/ is the only code that prints or exits. It calls the library
 * through include/asmgate.h (and the rd/ utilities); it never reaches
 * into pe/, keys/, verify/ or policy/ internals.
 */
#ifndef CMD_CMD_H
#define CMD_CMD_H

#include <stdio.h>

#include "asmgate.h"
#include "rd/buf.h"
#include "rd/json.h"
#include "rd/buf.h"

/* Exit statuses (docs/asmgate.1, EXIT STATUS). */
enum {
	CMD_EXIT_OK = 0,       /* accepted / done */
	CMD_EXIT_REJECT = 1,   /* rejected: not signed, or denied */
	CMD_EXIT_ERROR = 2     /* could not decide: bad input, I/O, usage */
};

/* Output formats shared by the subcommands that report on files. */
enum cmd_format { CMD_FMT_TEXT, CMD_FMT_JSON, CMD_FMT_JUNIT, CMD_FMT_SARIF };

/** Parse a --format value among the allowed ones (a bitmask of
 *  1 << enum cmd_format); returns 0 and prints usage on error. */
int cmd_parse_format(const char *cmd, const char *arg, unsigned allowed,
    enum cmd_format *out);

/** Write an untrusted string (a name from a file, a file name, a message
 *  quoting one) for the terminal: C0 controls, DEL and invalid UTF-8
 *  become \xNN, C1 controls (U+0080-U+009F) and bidirectional controls
 *  (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069) \u{XXXX}, so
 *  it cannot move the cursor, hide text, add lines or display
 *  reversed. */
void cmd_put_text(FILE *out, const char *s);

/** The same for n bytes of lines (a text document such as policy show):
 *  newlines pass, everything else is escaped as by cmd_put_text. */
void cmd_put_lines(FILE *out, const char *s, size_t n);

/** The default of --jobs: the CPUs online, 1 to max. */
unsigned long cmd_default_jobs(unsigned long max);

/** For asmgate_sign_options.temp_hook and the --output writers:
 *  remembers the named temporary file being written in slot arg
 *  (cmd_temp_slot; NULL path: none any more), which a SIGINT, SIGTERM
 *  or SIGHUP then removes before the process dies of it (cmd/main.c). */
#define CMD_TEMP_SLOTS 8u
void cmd_temp_hook(void *arg, const char *path);
/** The hook argument of writer slot (0 .. CMD_TEMP_SLOTS - 1): one per
 *  file written at the same time. */
void *cmd_temp_slot(unsigned slot);

/** "PATH: error: WHAT (offset 0xN)" on stderr, one line whatever PATH
 *  and WHAT hold. */
void cmd_print_error(const char *path, const asmgate_error *err);

/** "PATH: error: MESSAGE" on stderr, MESSAGE formatted from fmt (at
 *  most ASMGATE_ERRMSG_MAX bytes); path and message escaped as by
 *  cmd_put_text. */
void cmd_print_path_error(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** "POLICY:LINE: message" (or "POLICY: message" without a line) on
 *  stderr. */
void cmd_print_policy_error(const char *path, const asmgate_error *err);

/** "asmgate CMD: MESSAGE" on stderr (MESSAGE escaped as by
 *  cmd_put_text), then a hint to --help; returns CMD_EXIT_ERROR. */
int cmd_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Before writing path (not "-", standard output) without --force:
 *  1 when nothing is there; else "asmgate CMD: PATH exists (use --force
 *  to replace it)" on stderr and 0. A best-effort early check, so that
 *  no work is done for nothing: what decides is the write itself
 *  (RD_ATOMIC_NOREPLACE, which fails if the path appears meanwhile). */
int cmd_output_free(const char *cmd, const char *path);

/** A single-valued option (opt, e.g. "--format") met while parsing:
 *  1 the first time (*seen is set), else a usage error naming it and 0:
 *  a second value never silently replaces the first. */
int cmd_once(const char *cmd, const char *opt, int *seen);

/** Parse a decimal number from min to max: digits only (no sign, no
 *  spaces), range-checked as an unsigned long before any narrowing.
 *  1, or 0 when s is not such a number. */
int cmd_parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out);

/** Text for an assembly identity: "Name, Version=a.b.c.d, Culture=x,
 *  PublicKeyToken=t" (token may be NULL). */
void cmd_print_identity(FILE *out, const char *name,
    const asmgate_version *v, const char *culture, const uint8_t *token);

/** Write the bytes gathered in b to out and empty b, so JSON output can
 *  be built in a buffer and streamed: 1, or 0 when b failed (past its
 *  ceiling, out of memory) or the write failed. */
int cmd_flush(rd_buf *b, FILE *out);

/** Open the JSON document every command prints:
 *  {"asmgate": VERSION, "<member>": [ ... into out. */
void cmd_json_begin(rd_json *j, rd_buf *out, const char *member);

/** Read the --files-from list (path "-": standard input), one path a
 *  line (empty lines ignored, a trailing CR stripped) or, with nul,
 *  NUL-separated, bounded by RD_MAX_FILES_FROM_BYTES and
 *  RD_MAX_LIST_PATH. *paths (freed by the caller) points into store
 *  (rd_buf_free'd by the caller). 1, or 0 after one error line. */
int cmd_read_list(const char *cmd, const char *list, int nul, rd_buf *store,
    char ***paths, size_t *npaths);

/* The progress line: on a terminal's standard error only, after a
 * while, between subjects (main thread). */
typedef struct cmd_progress {
	int on, shown;
	long long start, last;     /* milliseconds, monotonic */
	unsigned long long done;
} cmd_progress;

/** Enable when wanted and standard error is a terminal. */
void cmd_progress_init(cmd_progress *p, int wanted);
/** One more subject done, name the last one: redraws at most every
 *  200 ms, from 2 s after the start. */
void cmd_progress_step(cmd_progress *p, const char *name);
/** Erase the line (before other output on the terminal). */
void cmd_progress_clear(cmd_progress *p);

/* Subcommands: each gets argv starting at its own name. */
/* trust.c: the Authenticode options --ca-file, --ca-path, --crl-file
 * (each repeatable) and --at, shared by verify and inspect. */
enum { OPT_CA_FILE = 256, OPT_CA_PATH, OPT_CRL_FILE, OPT_AT,
	OPT_REQUIRE_AC, OPT_STRIP_AC };
#define CMD_MAX_TRUST_FILES 64u
typedef struct cmd_trust_args {
	const char *ca_files[CMD_MAX_TRUST_FILES];
	size_t nca_files;
	const char *ca_paths[CMD_MAX_TRUST_FILES];
	size_t nca_paths;
	const char *crl_files[CMD_MAX_TRUST_FILES];
	size_t ncrl_files;
	int has_at;
	int64_t at;
} cmd_trust_args;
/* Take option c (OPT_CA_FILE...OPT_AT) with arg; 0 after a usage
 * error. */
int cmd_trust_option(const char *cmd, cmd_trust_args *a, int c,
    const char *arg);
/* Load the anchors and CRLs once; 0 after one clear line on stderr. */
int cmd_trust_load(const char *cmd, const cmd_trust_args *a,
    asmgate_trust **out);
/* "2026-01-31T12:00:00Z" (UTC) of Unix seconds t into buf (>= 21). */
void cmd_format_time(char *buf, size_t len, int64_t t);

int cmd_inspect(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_bindings(int argc, char **argv);
/* Lint findings of binding files, one "FILE:LINE: warning: ..." line
 * each, on out; *count of them. */
void cmd_print_binding_findings(FILE *out, const asmgate_bindings *const *b,
    size_t nb, const asmgate_policy *pol, size_t *count);

#endif /* CMD_CMD_H */
