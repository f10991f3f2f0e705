/*
 * verify.h - asmgate verify: the run's settings and counters, shared by
 * the command (verify.c) and its reports (verify_report.c).
 */
#ifndef CMD_VERIFY_H
#define CMD_VERIFY_H

#include <stdio.h>

#include "cmd.h"
#include "rd/json.h"
#include "rd/limits.h"

#define MAX_JOBS 64u
#define MAX_KEYS 256u   /* --test-key and --key-map, each */
/* Test keys: the command line's, then the policy's. */
#define MAX_TEST_KEYS (MAX_KEYS + RD_MAX_POLICY_KEYS)
/* Every host a policy may have, so none is ever left undecided. */
#define MAX_HOSTS RD_MAX_POLICY_HOSTS
/* Reports of one run: standard output and each --output FMT=FILE. */
#define MAX_SINKS 8u

typedef struct run {
	const asmgate_key **test_keys;
	asmgate_verify_options vopts;
	asmgate_policy *policy;
	size_t hosts[MAX_HOSTS];
	size_t nhosts;
	enum cmd_format fmt;
	int want_text, want_json;    /* what the workers render */
	int quiet;                   /* text: failing subjects only */
	asmgate_verdict_rules rules; /* exit status and every report */
	/* --bindings: the files, and the scan (its missing list). */
	asmgate_bindings *bindings[RD_MAX_BINDING_FILES];
	size_t nbindings;
	int require_bound;
	const asmgate_scan *scan;
} run;

/* Counters for the summary and the exit status. */
typedef struct tally {
	unsigned states[ASMGATE_SN_SIGNED + 1];
	unsigned verified, skipped, errors, not_signed, denied, audit_denied;
	unsigned not_checked;   /* skipped without a look: links, FIFOs */
	unsigned allowed;
	unsigned failed;        /* assemblies that fail the run */
	unsigned failed_on;     /* ... by being in a --fail-on state */
	unsigned missing;       /* bound identities no subject matched */
} tally;

/* Text of one subject (with --quiet only what fails the run). */
void cmd_verify_print_text(const run *r, const asmgate_subject *s,
    FILE *out);
/* One subject as a JSON object. */
void cmd_verify_print_json(const run *r, const asmgate_subject *s,
    rd_json *j);
/* The JSON document's end: the summary of the run. */
void cmd_verify_json_summary(rd_json *j, const run *r, const tally *t,
    const asmgate_scan_stats *st);
/* One subject into the JUnit/SARIF report. */
void cmd_verify_add_report(const run *r, const asmgate_subject *s,
    asmgate_report *rep);
/* Count one subject into t. */
void cmd_verify_count(const run *r, const asmgate_subject *s, tally *t);
/* With bindings: the missing identities (text, on out) and their
 * count into t. */
void cmd_verify_print_missing(const run *r, tally *t, FILE *out);
void cmd_verify_json_missing(rd_json *j, const run *r);
void cmd_verify_report_missing(const run *r, asmgate_report *rep);
/* The text summary line. */
void cmd_verify_print_summary(const run *r, const tally *t,
    const asmgate_scan_stats *st);

#endif /* CMD_VERIFY_H */
