/*
 * report.c - CI reports: JUnit XML and SARIF 2.1.0.
 *
 * JUnit (the de facto Ant/Jenkins structure that Jenkins, GitLab and
 * Azure DevOps read): <testsuites> holds one <testsuite> per file (the
 * consecutive adds for one path) with its tests/failures/errors/skipped
 * counts, so the document is written as the run goes; one <testcase
 * name classname time> per assembly and host, classname the host (or
 * "strong-name" without a policy); a denial is a <failure message type>,
 * an unreadable file an <error message type>, each with the details as
 * its text; a pass has them in <system-out>; a file not checked is a
 * <skipped message>. An audit-mode denial passes, with "AUDIT: ... is
 * denied ..." first in <system-out>. Testcase names carry the path, so
 * classname and name together are unique (GitLab keeps only the first
 * of equal names). Totals need the whole run, so they close the
 * document: a last suite "asmgate: summary" with no testcases (its own
 * counts 0, so sums over suites stay right) holds them as properties,
 * with each host's mode ("mode:HOST" = enforce or audit).
 *
 * SARIF 2.1.0 (OASIS; the members GitHub code scanning reads): $schema,
 * version, runs[0].tool.driver {name, version, rules[]} with a rule per
 * policy rule ("policy/HOST/RULE") plus "policy/default-deny",
 * "asmgate/unreadable", "strong-name/STATE" and "authenticode/STATE"
 * (an Authenticode signature that is present and not valid without a
 * policy, a --fail-on/--require-authenticode state, or a default
 * denial of a file whose Authenticode no allow rule accepts: invalid or
 * revoked); one result per denial,
 * unreadable file, file not checked ("asmgate/not-checked", a warning)
 * or (without a policy) unsigned assembly, with ruleId,
 * ruleIndex, level (error; warning in audit mode), message.text, the file
 * as locations[0].physicalLocation.artifactLocation.uri, and
 * partialFingerprints.
 *
 * The head (SARIF: the tool and its rules) is written by the first add,
 * each result as it is added, the end (and the run's summary, SARIF
 * run.properties) by finish. With a writer (asmgate_report_stream) each
 * part goes out at once and memory stays flat; without one the document
 * is kept, capped at RD_MAX_REPORT_BYTES, and finish returns it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "rd/err.h"
#include "rd/limits.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

/* SARIF rules before the policy's own: ruleIndex = position. */
static const struct {
	const char *id;
	const char *shortd;
	const char *help;
} fixed_rules[] = {
	{ "asmgate/unreadable", "The file could not be read as a .NET "
	  "assembly.", "asmgate could not open or parse the file, so it cannot "
	  "decide whether it may be deployed. Check that it is a complete, "
	  "valid .NET assembly." },
	{ "strong-name/unsigned", "The assembly has no strong name.",
	  "BizTalk requires strong-named assemblies. Sign it with the "
	  "vendor's key (csc -keyfile)." },
	{ "strong-name/delay-signed", "The assembly is delay-signed: its "
	  "signature slot is empty.", "Complete the signature with the "
	  "private key (sn -R) before deploying." },
	{ "strong-name/public-signed", "The assembly is public-signed: it "
	  "claims a signature it does not have.", "Public signing (OSS "
	  "signing) does not verify; sign it with the real private key." },
	{ "strong-name/test-signed", "The assembly is signed with a test "
	  "key.", "Test-signed assemblies are for test hosts only; re-sign "
	  "with the identity key." },
	{ "strong-name/invalid", "The strong-name signature does not "
	  "verify.", "The assembly was changed after signing, or the "
	  "signature is corrupt. Rebuild and re-sign it." },
	{ "asmgate/not-checked", "The path was not checked.", "A walk does "
	  "not follow symbolic links to directories and does not read "
	  "special files (FIFOs, sockets, devices): whatever is behind them "
	  "was not verified. Name the link's target as a path of its own, or "
	  "remove the entry." },
	{ "authenticode/invalid", "The Authenticode signature is invalid.",
	  "The file was changed after it was signed, or its certificate "
	  "table or PKCS#7 signature is malformed (or has data after the "
	  "signature). Get an intact copy from the vendor." },
	{ "authenticode/untrusted", "The Authenticode signature does not "
	  "chain to a trusted root, or its certificate is not for code "
	  "signing.", "Give the vendor's CA with --ca-file or --ca-path, or "
	  "ask the vendor for a code-signing certificate." },
	{ "authenticode/expired", "The Authenticode signer's certificate was "
	  "not valid at the signing time, and there is no valid timestamp.",
	  "Ask the vendor to sign with a timestamp (RFC 3161) while the "
	  "certificate is valid." },
	{ "authenticode/revoked", "A certificate of the Authenticode chain "
	  "is revoked.", "Do not deploy: the vendor's key may be "
	  "compromised. Get a file signed with a current certificate." },
	{ "authenticode/unsigned", "The file has no Authenticode signature.",
	  "This run requires one (--require-authenticode, --fail-on); ask "
	  "the vendor for an Authenticode-signed build." },
};
#define RULE_AC_FIRST 7 /* authenticode/invalid */
#define RULE_NOT_CHECKED 6
#define NFIXED (sizeof(fixed_rules) / sizeof(fixed_rules[0]))
#define RULE_DEFAULT_DENY NFIXED /* when there is a policy */

struct asmgate_report {
	asmgate_report_format fmt;
	const asmgate_policy *pol;
	asmgate_report_write_fn write; /* NULL: keep the document */
	void *wctx;
	rd_buf out;                 /* document bytes not yet written */
	rd_json j;                  /* SARIF: open at runs[0].results */
	int started;                /* head written */
	/* JUnit: the suite of the current file, written when another file
	 * starts or at finish (at most one testcase per host) */
	char *cur;
	rd_buf cur_body;
	unsigned long cur_tests, cur_failures, cur_errors, cur_skipped;
	unsigned long tests, failures, errors, skipped, not_checked;
	unsigned long nresults;
	unsigned char *host_seen;   /* JUnit: a mode property per host */
	size_t total;               /* bytes of the kept document */
	asmgate_status failed;      /* sticky */
	asmgate_error ferr;
	asmgate_verdict_rules rules; /* what passes and what fails */
	const asmgate_waiver *waiver; /* for the next adds (borrowed) */
	unsigned long waived;
};

int
asmgate_verdict_fails(const asmgate_verdict_rules *rules,
    const asmgate_signature *sig, const asmgate_decision *d)
{
	static const asmgate_verdict_rules none;

	if (!rules)
		rules = &none;
	if (!sig || (unsigned)sig->state > ASMGATE_SN_SIGNED)
		return 1; /* fail closed */
	if (rules->fail_on & ((uint32_t)1 << sig->state))
		return 1;
	if (d)
		return !d->allowed && !d->audit;
	return !(sig->state == ASMGATE_SN_SIGNED ||
	    (rules->accept_test_signed &&
	    sig->state == ASMGATE_SN_TEST_SIGNED));
}

/* The Authenticode part of the one verdict rule: a state whose bit is
 * in fail_on fails; without a policy, a signature that is present and
 * not valid fails too (fail closed on unknown states). */
static int
ac_fails(const asmgate_verdict_rules *rules, const asmgate_authenticode *ac,
    const asmgate_decision *d)
{
	if (!ac)
		return 0;
	if ((unsigned)ac->state >= ASMGATE_AC_STATE_COUNT)
		return 1;
	if (rules->fail_on & ASMGATE_FAIL_ON_AC(ac->state))
		return 1;
	return !d && ac->state != ASMGATE_AC_VALID &&
	    ac->state != ASMGATE_AC_UNSIGNED;
}

int
asmgate_verdict_fails_ac(const asmgate_verdict_rules *rules,
    const asmgate_signature *sig, const asmgate_authenticode *ac,
    const asmgate_decision *d)
{
	static const asmgate_verdict_rules none;

	if (!rules)
		rules = &none;
	if (ac_fails(rules, ac, d))
		return 1;
	if (!sig && ac)
		return 0; /* a native PE file: judged on Authenticode alone */
	return asmgate_verdict_fails(rules, sig, d);
}

void
asmgate_report_set_waiver(asmgate_report *r, const asmgate_waiver *w)
{
	if (r)
		r->waiver = w;
}

void
asmgate_report_set_rules(asmgate_report *r, const asmgate_verdict_rules *rules)
{
	if (r && rules)
		r->rules = *rules;
}

asmgate_status
asmgate_report_new(asmgate_report **out, asmgate_report_format fmt,
    const asmgate_policy *pol, asmgate_error *err)
{
	asmgate_report *r;

	if (!out)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_report_new: no output");
	*out = NULL;
	if (fmt != ASMGATE_REPORT_JUNIT && fmt != ASMGATE_REPORT_SARIF)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_report_new: format must be junit or sarif");
	r = calloc(1, sizeof(*r));
	if (r && pol && pol->nhosts)
		r->host_seen = calloc(pol->nhosts, 1);
	if (!r || (pol && pol->nhosts && !r->host_seen)) {
		free(r);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	r->fmt = fmt;
	r->pol = pol;
	rd_buf_init(&r->out, RD_MAX_REPORT_BYTES);
	rd_buf_init(&r->cur_body, RD_MAX_REPORT_BYTES);
	*out = r;
	return ASMGATE_OK;
}

asmgate_status
asmgate_report_stream(asmgate_report *r, asmgate_report_write_fn write,
    void *ctx, asmgate_error *err)
{
	if (!r || !write)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_report_stream: report and writer are required");
	if (r->started)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_report_stream: the report has begun");
	r->write = write;
	r->wctx = ctx;
	return ASMGATE_OK;
}

void
asmgate_report_free(asmgate_report *r)
{
	if (!r)
		return;
	free(r->cur);
	rd_buf_free(&r->cur_body);
	rd_buf_free(&r->out);
	free(r->host_seen);
	free(r);
}

static asmgate_status
report_fail(asmgate_report *r, asmgate_status st, const char *msg,
    asmgate_error *err)
{
	if (r->failed == ASMGATE_OK) {
		r->failed = st;
		rd_fail_nooff(&r->ferr, st, "report: %s", msg);
	}
	if (err)
		*err = r->ferr;
	return r->failed;
}

/* Hand what the document holds so far to the writer (streaming), or
 * check the kept document against its cap. */
static asmgate_status
report_flush(asmgate_report *r, asmgate_error *err)
{
	if (r->out.failed)
		return report_fail(r, r->write ? ASMGATE_E_NOMEM :
		    ASMGATE_E_LIMIT, r->write ? "out of memory" :
		    "larger than the report size limit", err);
	if (!r->write)
		return ASMGATE_OK;
	if (r->out.len && !r->write(r->wctx, r->out.p, r->out.len))
		return report_fail(r, ASMGATE_E_IO, "cannot write", err);
	r->out.len = 0;
	return ASMGATE_OK;
}

/* Append a finished fragment to the document. */
static asmgate_status
report_append(asmgate_report *r, rd_buf *frag, asmgate_error *err)
{
	if (frag->failed)
		return report_fail(r, ASMGATE_E_NOMEM, "out of memory", err);
	if (!r->write && frag->len > RD_MAX_REPORT_BYTES - r->total)
		return report_fail(r, ASMGATE_E_LIMIT,
		    "larger than the report size limit", err);
	if (!rd_buf_put(&r->out, frag->p, frag->len))
		return report_fail(r, ASMGATE_E_NOMEM, "out of memory", err);
	if (!r->write)
		r->total += frag->len;
	return ASMGATE_OK;
}

static void sarif_head(asmgate_report *r);

/* The document's head, once, before the first result. */
static asmgate_status
report_start(asmgate_report *r, asmgate_error *err)
{
	size_t before = r->out.len;

	if (r->started)
		return ASMGATE_OK;
	r->started = 1;
	if (r->fmt == ASMGATE_REPORT_JUNIT)
		rd_buf_puts(&r->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<testsuites name=\"asmgate\">\n");
	else
		sarif_head(r);
	if (!r->write)
		r->total += r->out.len - before;
	return report_flush(r, err);
}

/* JUnit: write the current file's suite and start none. */
static asmgate_status
junit_close_file(asmgate_report *r, asmgate_error *err)
{
	rd_buf head;
	asmgate_status st;

	if (!r->cur)
		return ASMGATE_OK;
	rd_buf_init(&head, RD_MAX_REPORT_BYTES);
	rd_buf_puts(&head, "  <testsuite name=\"");
	policy_xml_puts(&head, r->cur, 1);
	rd_buf_printf(&head, "\" tests=\"%lu\" failures=\"%lu\" "
	    "errors=\"%lu\" skipped=\"%lu\" time=\"0\">\n", r->cur_tests,
	    r->cur_failures, r->cur_errors, r->cur_skipped);
	st = report_append(r, &head, err);
	if (st == ASMGATE_OK)
		st = report_append(r, &r->cur_body, err);
	rd_buf_free(&head);
	if (st == ASMGATE_OK && !rd_buf_puts(&r->out, "  </testsuite>\n"))
		st = report_fail(r, ASMGATE_E_NOMEM, "out of memory", err);
	free(r->cur);
	r->cur = NULL;
	r->cur_body.len = 0;
	r->cur_tests = r->cur_failures = r->cur_errors = r->cur_skipped = 0;
	if (st != ASMGATE_OK)
		return st;
	return report_flush(r, err);
}

/* JUnit: the suite for path (a new one when the path changes). */
static asmgate_status
junit_file(asmgate_report *r, const char *path, asmgate_error *err)
{
	size_t n = strlen(path);
	asmgate_status st;

	if (r->cur && strcmp(r->cur, path) == 0)
		return ASMGATE_OK;
	st = junit_close_file(r, err);
	if (st != ASMGATE_OK)
		return st;
	r->cur = malloc(n + 1);
	if (!r->cur)
		return report_fail(r, ASMGATE_E_NOMEM, "out of memory", err);
	memcpy(r->cur, path, n + 1);
	return ASMGATE_OK;
}

/* What one add() reports, worked out once for both formats. */
typedef struct outcome {
	const char *path;           /* display name */
	const asmgate_origin *origin; /* NULL: path is a file on disk */
	const char *host;           /* NULL without a policy */
	int error;                  /* file unreadable or not verified */
	int fail;                   /* denied or (no policy) not signed */
	int audit;                  /* a denial that does not fail */
	const asmgate_waiver *waived; /* a failure a waiver lets pass */
	const char *rule_id;        /* SARIF ruleId */
	long rule_index;            /* -1: not in driver.rules */
	const char *type;           /* JUnit failure/error type */
	const asmgate_authenticode *ac; /* NULL: not verified */
	char message[512];          /* one line */
} outcome;

/* The fixed rule "authenticode/STATE", or -1. */
static long
ac_rule(asmgate_ac_state st)
{
	size_t i;

	for (i = RULE_AC_FIRST; i < NFIXED; i++)
		if (strcmp(fixed_rules[i].id + strlen("authenticode/"),
		    asmgate_ac_state_name(st)) == 0)
			return (long)i;
	return -1;
}

/* The one-line message; long names are cut on purpose. */
static void say(outcome *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(outcome *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->message, sizeof(o->message), fmt, ap);
	va_end(ap);
}

/* The reason "placed: ..." asmgate verify --bindings gives a decision
 * (why its host decides), without the prefix; NULL when none. */
static const char *
placed_reason(const asmgate_decision *d)
{
	unsigned i;

	for (i = 0; d && i < d->nreasons && i < ASMGATE_MAX_REASONS; i++)
		if (strncmp(d->reasons[i], "placed: ", 8) == 0)
			return d->reasons[i] + 8;
	return NULL;
}

static long
policy_rule_index(const asmgate_policy *pol, const char *host,
    const char *rule)
{
	long h;
	size_t i;

	if (!pol || !host)
		return -1;
	h = asmgate_policy_find_host(pol, host);
	if (h < 0)
		return -1;
	if (!rule)
		return (long)RULE_DEFAULT_DENY;
	for (i = 0; i < pol->hosts[h].nrules; i++) {
		const policy_rule *pr = &pol->rules[pol->hosts[h].first_rule + i];
		if (strcmp(pr->id, rule) == 0)
			return (long)(RULE_DEFAULT_DENY + 1 +
			    pol->hosts[h].first_rule + i);
	}
	return -1;
}

static void
details(rd_buf *b, const outcome *o, const asmgate_image *img,
    const asmgate_error *file_err, const asmgate_signature *sig,
    const asmgate_decision *d)
{
	unsigned i;

	rd_buf_printf(b, "file: %s\n", o->path);
	if (o->origin && o->origin->nmembers) {
		size_t k;
		rd_buf_printf(b, "container: %s\n", o->origin->file);
		for (k = 0; k < o->origin->nmembers; k++)
			rd_buf_printf(b, "member: %s\n", o->origin->members[k]);
	}
	if (img) {
		const asmgate_r2r_info *rr = &asmgate_image_get_info(img)->r2r;
		rd_buf_puts(b, "assembly: ");
		policy_full_name(b, img);
		rd_buf_putc(b, '\n');
		if (rr->present)
			rd_buf_printf(b, "ReadyToRun: RTR header %u.%u "
			    "(crossgen output)\n", rr->major_version,
			    rr->minor_version);
	}
	if (file_err) {
		rd_buf_printf(b, "error: %s: %s",
		    asmgate_status_name(file_err->code), file_err->msg);
		if (file_err->has_offset)
			rd_buf_printf(b, " (offset 0x%llx)",
			    (unsigned long long)file_err->offset);
		rd_buf_putc(b, '\n');
	}
	if (sig) {
		rd_buf_printf(b, "strong name: %s",
		    asmgate_sn_state_name(sig->state));
		if (sig->key_bits)
			rd_buf_printf(b, ", %u-bit key", sig->key_bits);
		if (sig->hash_name)
			rd_buf_printf(b, ", %s", sig->hash_name);
		rd_buf_putc(b, '\n');
		for (i = 0; i < sig->nreasons && i < ASMGATE_MAX_REASONS; i++)
			rd_buf_printf(b, "  - %.*s\n", ASMGATE_REASON_MAX,
			    sig->reasons[i]);
	}
	if (o->ac) {
		const asmgate_authenticode *ac = o->ac;
		rd_buf_printf(b, "authenticode: %s",
		    asmgate_ac_state_name(ac->state));
		if (ac->nsignatures && ac->signatures[0].has_signer)
			rd_buf_printf(b, ", signer %.200s",
			    ac->signatures[0].signer.subject.text);
		rd_buf_putc(b, '\n');
		for (i = 0; i < ac->nreasons && i < ASMGATE_MAX_REASONS; i++)
			rd_buf_printf(b, "  - %.*s\n", ASMGATE_REASON_MAX,
			    ac->reasons[i]);
	}
	if (o->host)
		rd_buf_printf(b, "host: %s\n", o->host);
	if (d) {
		rd_buf_printf(b, "decision: %s%s\n",
		    asmgate_decision_verdict(d), d->audit ? " (audit mode)" :
		    "");
		for (i = 0; i < d->nreasons && i < ASMGATE_MAX_REASONS; i++)
			rd_buf_printf(b, "  - %.*s\n", ASMGATE_REASON_MAX,
			    d->reasons[i]);
	}
}

/* An Authenticode failure as its own rule: "authenticode/STATE". */
static void
ac_failure(outcome *o, const char *who, const char *type, const char *why)
{
	const asmgate_authenticode *ac = o->ac;
	long i = ac_rule(ac->state);

	o->fail = 1;
	o->type = type;
	if (i >= 0) {
		o->rule_id = fixed_rules[i].id;
		o->rule_index = i;
		if (!strcmp(type, "authenticode"))
			o->type = fixed_rules[i].id;
	}
	say(o, "%s: Authenticode %s%s%s%.200s", who,
	    asmgate_ac_state_name(ac->state), why,
	    ac->nreasons ? ": " : "", ac->nreasons ? ac->reasons[0] : "");
}

static void
work_out(outcome *o, const asmgate_report *r, const char *path,
    const asmgate_origin *origin, const asmgate_image *img,
    const asmgate_error *file_err, const asmgate_signature *sig,
    const asmgate_authenticode *ac, const char *host,
    const asmgate_decision *d)
{
	char who[300];
	rd_buf nb;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->origin = origin;
	o->host = host;
	o->ac = ac && (unsigned)ac->state < ASMGATE_AC_STATE_COUNT ? ac :
	    NULL;
	o->rule_index = -1;
	if (img) {
		rd_buf_init(&nb, sizeof(who));
		policy_full_name(&nb, img);
		/* Inside a container the identity alone does not say which
		 * member: the message names the chain too. */
		if (o->origin && o->origin->nmembers)
			snprintf(who, sizeof(who), "%.150s in %.140s",
			    rd_buf_cstr(&nb) ? (const char *)nb.p : "?", path);
		else
			snprintf(who, sizeof(who), "%s",
			    rd_buf_cstr(&nb) ? (const char *)nb.p : path);
		rd_buf_free(&nb);
	} else {
		snprintf(who, sizeof(who), "%s", path);
	}
	if (file_err) {
		o->error = 1;
		o->rule_id = fixed_rules[0].id;
		o->rule_index = 0;
		o->type = asmgate_status_name(file_err->code);
		say(o, "cannot read %s: %s: %.200s", path,
		    asmgate_status_name(file_err->code), file_err->msg);
		return;
	}
	if (ac && (unsigned)ac->state >= ASMGATE_AC_STATE_COUNT) {
		/* A state this code does not know fails, as the verdict
		 * does (asmgate_verdict_fails_ac): reported as invalid. */
		long i = ac_rule(ASMGATE_AC_INVALID);

		o->fail = 1;
		o->type = "authenticode";
		if (i >= 0) {
			o->rule_id = fixed_rules[i].id;
			o->rule_index = i;
			o->type = fixed_rules[i].id;
		}
		say(o, "%s: Authenticode state %u unknown (fail closed)", who,
		    (unsigned)ac->state);
		return;
	}
	if (sig && (unsigned)sig->state <= ASMGATE_SN_SIGNED &&
	    (r->rules.fail_on & ((uint32_t)1 << sig->state))) {
		size_t i;

		/* The run fails on this state whatever a policy says. */
		o->fail = 1;
		o->type = "fail-on";
		for (i = 1; i < NFIXED; i++)
			if (strcmp(fixed_rules[i].id + strlen("strong-name/"),
			    asmgate_sn_state_name(sig->state)) == 0 &&
			    strncmp(fixed_rules[i].id, "strong-name/", 12) ==
			    0) {
				o->rule_id = fixed_rules[i].id;
				o->rule_index = (long)i;
			}
		say(o, "%s is %s, a state this run fails on (--fail-on)%s%s"
		    "%s%.200s", who, asmgate_sn_state_name(sig->state),
		    host ? " in host " : "", host ? host : "",
		    sig->nreasons ? ": " : "",
		    sig->nreasons ? sig->reasons[0] : "");
		return;
	}
	if (o->ac && (r->rules.fail_on & ASMGATE_FAIL_ON_AC(o->ac->state))) {
		/* as --fail-on above, for the Authenticode state */
		ac_failure(o, who, "fail-on", ", a state this run fails on");
		return;
	}
	if (d && !d->allowed && !d->rule && !d->audit && o->ac &&
	    (o->ac->state == ASMGATE_AC_INVALID ||
	    o->ac->state == ASMGATE_AC_REVOKED)) {
		/* denied by default, and no allow rule accepts this
		 * Authenticode state (decide.c) */
		ac_failure(o, who, "authenticode", host ? ", never allowed "
		    "(denied by default)" : "");
		return;
	}
	if (d) {
		if (d->allowed) {
			say(o, "%s is allowed in host %s: %.200s", who,
			    host ? host : "?", d->nreasons ? d->reasons[0] : "");
			return;
		}
		o->fail = !d->audit;
		o->audit = d->audit;
		o->type = asmgate_decision_verdict(d);
		if (d->rule) {
			o->rule_index = policy_rule_index(r->pol, host, d->rule);
			o->rule_id = NULL; /* built by the SARIF writer */
		} else {
			o->rule_id = "policy/default-deny";
			o->rule_index = r->pol ? (long)RULE_DEFAULT_DENY : -1;
		}
		if (d->rule)
			say(o, "%s%s is denied in host %s by deny rule '%s'",
			    d->audit ? "AUDIT: " : "", who, host ? host : "?",
			    d->rule);
		else
			say(o, "%s%s is denied in host %s by default: %.200s",
			    d->audit ? "AUDIT: " : "", who, host ? host : "?",
			    d->nreasons > 1 && strncmp(d->reasons[1],
			    "placed: ", 8) != 0 ? d->reasons[1] :
			    "no rule matched");
		return;
	}
	if (o->ac && o->ac->state != ASMGATE_AC_VALID &&
	    o->ac->state != ASMGATE_AC_UNSIGNED &&
	    (!sig || sig->state == ASMGATE_SN_SIGNED ||
	    !asmgate_verdict_fails(&r->rules, sig, NULL))) {
		/* no policy: a signature present and not valid fails */
		ac_failure(o, who, "authenticode", "");
		return;
	}
	if (!sig && o->ac) {
		say(o, "%s: Authenticode %s", who,
		    asmgate_ac_state_name(o->ac->state));
		return;
	}
	if (sig) {
		size_t i;
		if (sig->state == ASMGATE_SN_SIGNED) {
			say(o, "%s is strong-name signed", who);
			return;
		}
		if (!asmgate_verdict_fails(&r->rules, sig, NULL)) {
			say(o, "%s is %s, accepted: test keys were given%s%.200s",
			    who, asmgate_sn_state_name(sig->state),
			    sig->nreasons ? ": " : "",
			    sig->nreasons ? sig->reasons[0] : "");
			return;
		}
		o->fail = 1;
		o->type = "strong-name";
		for (i = 1; i < NFIXED; i++) {
			const char *st = fixed_rules[i].id +
			    strlen("strong-name/");
			if (strncmp(fixed_rules[i].id, "strong-name/", 12) ==
			    0 && strcmp(st, asmgate_sn_state_name(sig->state))
			    == 0) {
				o->rule_id = fixed_rules[i].id;
				o->rule_index = (long)i;
				o->type = fixed_rules[i].id;
			}
		}
		say(o, "%s is %s, not signed%s%.200s", who,
		    asmgate_sn_state_name(sig->state),
		    sig->nreasons ? ": " : "",
		    sig->nreasons ? sig->reasons[0] : "");
		return;
	}
	o->error = 1;
	o->type = "not-verified";
	o->rule_id = fixed_rules[0].id;
	o->rule_index = 0;
	say(o, "%s: no verification result", who);
}

/* "waived (FILE:LINE, expires DATE): REASON" as XML text. */
static void
waiver_note(rd_buf *b, const asmgate_waiver *w, int attr)
{
	rd_buf_puts(b, "waived (");
	policy_xml_puts(b, w->file, attr);
	rd_buf_printf(b, ":%lu", w->line);
	if (w->expires)
		rd_buf_printf(b, ", expires %s", w->expires);
	rd_buf_puts(b, "): ");
	policy_xml_puts(b, w->reason, attr);
}

/* SARIF 2.1.0 3.35: the result is suppressed outside the analysed
 * code (kind external, status accepted), the waiver file and line as
 * the suppression's location. */
static void
sarif_suppression(rd_json *j, const asmgate_waiver *w)
{
	rd_buf u;

	rd_buf_init(&u, RD_MAX_REPORT_BYTES);
	policy_uri_put(&u, w->file);
	rd_json_key(j, "suppressions");
	rd_json_arr(j);
	rd_json_obj(j);
	rd_json_kstr(j, "kind", "external");
	rd_json_kstr(j, "status", "accepted");
	rd_json_kstr(j, "justification", w->reason);
	rd_json_key(j, "location");
	rd_json_obj(j);
	rd_json_key(j, "physicalLocation");
	rd_json_obj(j);
	rd_json_key(j, "artifactLocation");
	rd_json_obj(j);
	rd_json_kstr(j, "uri", rd_buf_cstr(&u) ? (const char *)u.p : "");
	rd_json_obj_end(j);
	rd_json_key(j, "region");
	rd_json_obj(j);
	rd_json_kuint(j, "startLine", w->line);
	rd_json_obj_end(j);
	rd_json_obj_end(j);
	rd_json_obj_end(j);
	rd_json_key(j, "properties");
	rd_json_obj(j);
	rd_json_kstr(j, "pattern", w->pattern);
	if (w->expires)
		rd_json_kstr(j, "expires", w->expires);
	else
		rd_json_knull(j, "expires");
	rd_json_obj_end(j);
	rd_json_obj_end(j);
	rd_json_arr_end(j);
	rd_buf_free(&u);
}

static asmgate_status
add_junit(asmgate_report *r, const outcome *o, const asmgate_image *img,
    const asmgate_error *file_err, const asmgate_signature *sig,
    const asmgate_decision *d, asmgate_error *err)
{
	const char *classname = o->host ? o->host : "strong-name";
	rd_buf tc, det;
	asmgate_status st;

	st = junit_file(r, o->path, err);
	if (st != ASMGATE_OK)
		return st;
	if (o->host && r->host_seen) {
		long h = asmgate_policy_find_host(r->pol, o->host);
		if (h >= 0)
			r->host_seen[h] = 1;
	}
	rd_buf_init(&tc, RD_MAX_REPORT_BYTES);
	rd_buf_init(&det, 64 * 1024);
	details(&det, o, img, file_err, sig, d);
	rd_buf_puts(&tc, "    <testcase name=\"");
	if (img) {
		rd_buf nb;
		rd_buf_init(&nb, 4096);
		policy_full_name(&nb, img);
		policy_xml_put(&tc, (const char *)nb.p, nb.failed ? 0 : nb.len,
		    1);
		rd_buf_free(&nb);
		rd_buf_puts(&tc, " [");
		policy_xml_puts(&tc, o->path, 1);
		rd_buf_puts(&tc, "]");
	} else {
		policy_xml_puts(&tc, o->path, 1);
	}
	rd_buf_puts(&tc, "\" classname=\"");
	policy_xml_puts(&tc, classname, 1);
	rd_buf_puts(&tc, "\" time=\"0\">\n");
	if (o->error || o->fail) {
		const char *el = o->error ? "error" : "failure";
		rd_buf_printf(&tc, "      <%s message=\"", el);
		policy_xml_puts(&tc, o->message, 1);
		rd_buf_puts(&tc, "\" type=\"");
		policy_xml_puts(&tc, o->type ? o->type : el, 1);
		rd_buf_puts(&tc, "\">");
		policy_xml_put(&tc, (const char *)det.p,
		    det.failed ? 0 : det.len, 0);
		rd_buf_printf(&tc, "</%s>\n", el);
	}
	if (o->waived) {
		/* a failure let pass: skipped, with the waiver's reason */
		rd_buf_puts(&tc, "      <skipped message=\"");
		waiver_note(&tc, o->waived, 1);
		rd_buf_puts(&tc, ": ");
		policy_xml_puts(&tc, o->message, 1);
		rd_buf_puts(&tc, "\"/>\n");
	}
	if (!o->error && !o->fail) {
		/* a pass: the details (and an audit note) as output */
		rd_buf_puts(&tc, "      <system-out>");
		if (o->audit) {
			policy_xml_puts(&tc, o->message, 0);
			rd_buf_putc(&tc, '\n');
		}
		policy_xml_put(&tc, (const char *)det.p,
		    det.failed ? 0 : det.len, 0);
		rd_buf_puts(&tc, "</system-out>\n");
	}
	rd_buf_puts(&tc, "    </testcase>\n");
	rd_buf_free(&det);
	if (tc.failed || !rd_buf_put(&r->cur_body, tc.p, tc.len))
		st = report_fail(r, ASMGATE_E_NOMEM, "out of memory", err);
	rd_buf_free(&tc);
	if (st != ASMGATE_OK)
		return st;
	r->cur_tests++;
	r->tests++;
	if (o->waived) {
		r->cur_skipped++;
		r->waived++;
	}
	if (o->error) {
		r->cur_errors++;
		r->errors++;
	} else if (o->fail) {
		r->cur_failures++;
		r->failures++;
	}
	return ASMGATE_OK;
}

/* FNV-1a, 64 bits: a stable partialFingerprints value. */
static uint64_t
fnv1a(uint64_t h, const char *s)
{
	for (; s && *s; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ULL;
	}
	h ^= 0xFF; /* separator */
	h *= 0x100000001b3ULL;
	return h;
}

static asmgate_status
add_sarif(asmgate_report *r, const outcome *o, const asmgate_image *img,
    const asmgate_signature *sig, const asmgate_decision *d,
    asmgate_error *err)
{
	rd_buf res, id;
	rd_json j;
	char fp[17];
	const char *rule_id;
	asmgate_status st;

	if (!o->error && !o->fail && !o->audit && !o->waived)
		return ASMGATE_OK; /* passes: no result */
	rd_buf_init(&id, 1024);
	if (o->rule_id) {
		rd_buf_puts(&id, o->rule_id);
	} else {
		rd_buf_printf(&id, "policy/%s/%s", o->host ? o->host : "",
		    d && d->rule ? d->rule : "");
	}
	rule_id = rd_buf_cstr(&id);
	if (!rule_id) {
		rd_buf_free(&id);
		return report_fail(r, ASMGATE_E_NOMEM, "out of memory", err);
	}
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)fnv1a(fnv1a(
	    fnv1a(0xcbf29ce484222325ULL, rule_id), o->path), o->host));

	rd_buf_init(&res, RD_MAX_REPORT_BYTES);
	rd_json_init(&j, &res, 1);
	/* Inside runs[0].results: the finished document splices these. */
	rd_json_fragment(&j, 4, r->nresults ? 1u : 0u);
	rd_json_obj(&j);
	rd_json_kstr(&j, "ruleId", rule_id);
	if (o->rule_index >= 0)
		rd_json_kuint(&j, "ruleIndex", (uint64_t)o->rule_index);
	rd_json_kstr(&j, "level", o->audit ? "warning" : "error");
	rd_json_key(&j, "message");
	rd_json_obj(&j);
	rd_json_kstr(&j, "text", o->message);
	rd_json_obj_end(&j);
	rd_json_key(&j, "locations");
	rd_json_arr(&j);
	rd_json_obj(&j);
	rd_json_key(&j, "physicalLocation");
	rd_json_obj(&j);
	rd_json_key(&j, "artifactLocation");
	rd_json_obj(&j);
	{
		/* ASCII only: the JSON string needs no escapes */
		rd_buf u;
		rd_buf_init(&u, RD_MAX_REPORT_BYTES);
		/* The artifact is the file on disk; the member chain is in
		 * the message and the property bag. */
		policy_uri_put(&u, o->origin ? o->origin->file : o->path);
		rd_json_kstr(&j, "uri", rd_buf_cstr(&u) ? (const char *)u.p :
		    "");
		if (u.failed)
			res.failed = 1;
		rd_buf_free(&u);
	}
	rd_json_obj_end(&j);
	rd_json_obj_end(&j);
	rd_json_obj_end(&j);
	rd_json_arr_end(&j);
	rd_json_key(&j, "partialFingerprints");
	rd_json_obj(&j);
	rd_json_kstr(&j, "asmgateResult/v1", fp);
	rd_json_obj_end(&j);
	if (o->waived)
		sarif_suppression(&j, o->waived);
	rd_json_key(&j, "properties");
	rd_json_obj(&j);
	if (o->host)
		rd_json_kstr(&j, "host", o->host);
	if (o->origin && o->origin->nmembers) {
		size_t k;
		rd_json_kstr(&j, "asmgate/path", o->path);
		rd_json_key(&j, "asmgate/members");
		rd_json_arr(&j);
		for (k = 0; k < o->origin->nmembers; k++)
			rd_json_str(&j, o->origin->members[k]);
		rd_json_arr_end(&j);
	}
	if (img) {
		rd_buf nb;
		rd_buf_init(&nb, 4096);
		policy_full_name(&nb, img);
		rd_json_kstr(&j, "assembly", rd_buf_cstr(&nb));
		rd_buf_free(&nb);
	}
	if (sig)
		rd_json_kstr(&j, "strongName",
		    asmgate_sn_state_name(sig->state));
	if (img && asmgate_image_get_info(img)->r2r.present) {
		/* crossgen output (readytorun-format.md): why its strong
		 * name cannot be checked */
		const asmgate_r2r_info *rr = &asmgate_image_get_info(img)->r2r;
		char v[16];
		snprintf(v, sizeof(v), "%u.%u", rr->major_version,
		    rr->minor_version);
		rd_json_kbool(&j, "readyToRun", 1);
		rd_json_kstr(&j, "readyToRunVersion", v);
	}
	if (sig && !sig->checksum_ok)
		rd_json_kbool(&j, "peChecksumOk", 0);
	if (d) {
		const char *pl = placed_reason(d);
		rd_json_kstr(&j, "verdict", asmgate_decision_verdict(d));
		rd_json_kbool(&j, "audit", d->audit);
		if (pl)
			rd_json_kstr(&j, "asmgate/placement", pl);
	}
	rd_json_obj_end(&j);
	rd_json_obj_end(&j);
	rd_buf_free(&id);
	st = report_append(r, &res, err);
	rd_buf_free(&res);
	if (st != ASMGATE_OK)
		return st;
	/* the splice's bookkeeping: one more value in results */
	rd_json_splice(&r->j, "", 0, 1);
	r->nresults++;
	return report_flush(r, err);
}

asmgate_status
asmgate_report_add(asmgate_report *r, const char *path,
    const asmgate_image *img, const asmgate_error *file_err,
    const asmgate_signature *sig, const char *host,
    const asmgate_decision *d, asmgate_error *err)
{
	return asmgate_report_add_origin(r, path, NULL, img, file_err, sig,
	    host, d, err);
}

asmgate_status
asmgate_report_add_origin(asmgate_report *r, const char *path,
    const asmgate_origin *origin, const asmgate_image *img,
    const asmgate_error *file_err, const asmgate_signature *sig,
    const char *host, const asmgate_decision *d, asmgate_error *err)
{
	return asmgate_report_add_ac(r, path, origin, img, file_err, sig,
	    NULL, host, d, err);
}

asmgate_status
asmgate_report_add_ac(asmgate_report *r, const char *path,
    const asmgate_origin *origin, const asmgate_image *img,
    const asmgate_error *file_err, const asmgate_signature *sig,
    const asmgate_authenticode *ac, const char *host,
    const asmgate_decision *d, asmgate_error *err)
{
	outcome o;

	if (!r || !path)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_report_add: report and path are required");
	if (origin && (!origin->file ||
	    (origin->nmembers && !origin->members)))
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_report_add: origin needs file and members");
	if (r->failed != ASMGATE_OK)
		return report_fail(r, r->failed, "", err);
	if (report_start(r, err) != ASMGATE_OK)
		return r->failed;
	work_out(&o, r, path, origin, img, file_err, sig, ac, host, d);
	if (placed_reason(d)) {
		/* Why this host decides, on the message's one line. */
		size_t n = strlen(o.message);
		snprintf(o.message + n, sizeof(o.message) - n, " (placed: %s)",
		    placed_reason(d));
	}
	/* A waiver lets a failure pass (asmgate_verdict_of), never an
	 * error: what was not verified is not waived. */
	if (o.fail && !o.error && r->waiver && !r->waiver->expired) {
		o.fail = 0;
		o.waived = r->waiver;
	}
	if (r->fmt == ASMGATE_REPORT_JUNIT)
		return add_junit(r, &o, img, file_err, sig, d, err);
	r->tests++;
	if (o.waived)
		r->waived++;
	if (o.error)
		r->errors++;
	else if (o.fail)
		r->failures++;
	return add_sarif(r, &o, img, sig, d, err);
}

asmgate_status
asmgate_report_add_skipped(asmgate_report *r, const char *path,
    const asmgate_origin *origin, const asmgate_error *why,
    asmgate_error *err)
{
	outcome o;
	rd_buf tc;
	asmgate_status st;
	int not_checked, fails;

	if (!r || !path || !why)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_report_add_skipped: report, path and reason are "
		    "required");
	if (origin && (!origin->file ||
	    (origin->nmembers && !origin->members)))
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_report_add: origin needs file and members");
	if (r->failed != ASMGATE_OK)
		return report_fail(r, r->failed, "", err);
	if (report_start(r, err) != ASMGATE_OK)
		return r->failed;
	/* Out of scope (a PE file that is not an assembly) or not looked
	 * at (a link to a directory, a special file in a walk). */
	not_checked = why->code != ASMGATE_E_NOT_DOTNET &&
	    why->code != ASMGATE_E_NO_ASSEMBLY;
	/* --fail-on not-checked: a failure, not a skip */
	fails = not_checked &&
	    (r->rules.fail_on & ASMGATE_FAIL_ON_NOT_CHECKED) != 0;
	r->tests++;
	if (fails)
		r->failures++;
	else
		r->skipped++;
	if (not_checked)
		r->not_checked++;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.origin = origin;
	say(&o, "%s %s: %.300s", path, not_checked ? "was not checked" :
	    "is not an assembly", why->msg);
	if (r->fmt == ASMGATE_REPORT_SARIF) {
		/* Out of scope is counted, not reported: native DLLs beside
		 * assemblies are common; what was not checked is a warning. */
		if (!not_checked)
			return ASMGATE_OK;
		o.audit = !fails; /* level warning; error when it fails */
		o.fail = fails;
		o.rule_id = fixed_rules[RULE_NOT_CHECKED].id;
		o.rule_index = RULE_NOT_CHECKED;
		return add_sarif(r, &o, NULL, NULL, NULL, err);
	}
	st = junit_file(r, path, err);
	if (st != ASMGATE_OK)
		return st;
	rd_buf_init(&tc, RD_MAX_REPORT_BYTES);
	rd_buf_puts(&tc, "    <testcase name=\"");
	policy_xml_puts(&tc, path, 1);
	rd_buf_puts(&tc, "\" classname=\"strong-name\" time=\"0\">\n");
	rd_buf_puts(&tc, fails ? "      <failure type=\"asmgate/not-checked\" "
	    "message=\"" : "      <skipped message=\"");
	policy_xml_puts(&tc, o.message, 1);
	rd_buf_puts(&tc, "\"/>\n    </testcase>\n");
	if (tc.failed || !rd_buf_put(&r->cur_body, tc.p, tc.len))
		st = report_fail(r, ASMGATE_E_NOMEM, "out of memory", err);
	rd_buf_free(&tc);
	if (st != ASMGATE_OK)
		return st;
	r->cur_tests++;
	if (fails)
		r->cur_failures++;
	else
		r->cur_skipped++;
	return ASMGATE_OK;
}

static void
junit_finish(asmgate_report *r, rd_buf *b)
{
	const asmgate_policy *pol = r->pol;
	size_t i;

	rd_buf_printf(b, "  <testsuite name=\"asmgate: summary\" tests=\"0\" "
	    "failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
	    "    <properties>\n"
	    "      <property name=\"tests\" value=\"%lu\"/>\n"
	    "      <property name=\"failures\" value=\"%lu\"/>\n"
	    "      <property name=\"errors\" value=\"%lu\"/>\n"
	    "      <property name=\"skipped\" value=\"%lu\"/>\n"
	    "      <property name=\"notChecked\" value=\"%lu\"/>\n",
	    r->tests, r->failures, r->errors, r->skipped, r->not_checked);
	if (r->waived)
		rd_buf_printf(b, "      <property name=\"waived\" "
		    "value=\"%lu\"/>\n", r->waived);
	for (i = 0; pol && r->host_seen && i < pol->nhosts; i++) {
		if (!r->host_seen[i])
			continue;
		rd_buf_puts(b, "      <property name=\"mode:");
		policy_xml_puts(b, pol->hosts[i].name, 1);
		rd_buf_printf(b, "\" value=\"%s\"/>\n",
		    asmgate_policy_host_audit(pol, i) ? "audit" : "enforce");
	}
	rd_buf_puts(b, "    </properties>\n  </testsuite>\n</testsuites>\n");
}

static void
sarif_rule(rd_json *j, const char *id, const char *shortd,
    const char *full, const char *help, const char *level)
{
	rd_json_obj(j);
	rd_json_kstr(j, "id", id);
	rd_json_key(j, "shortDescription");
	rd_json_obj(j);
	rd_json_kstr(j, "text", shortd);
	rd_json_obj_end(j);
	rd_json_key(j, "fullDescription");
	rd_json_obj(j);
	rd_json_kstr(j, "text", full);
	rd_json_obj_end(j);
	rd_json_key(j, "help");
	rd_json_obj(j);
	rd_json_kstr(j, "text", help);
	rd_json_obj_end(j);
	rd_json_key(j, "defaultConfiguration");
	rd_json_obj(j);
	rd_json_kstr(j, "level", level);
	rd_json_obj_end(j);
	rd_json_obj_end(j);
}

static void
sarif_head(asmgate_report *r)
{
	const asmgate_policy *pol = r->pol;
	rd_json j;
	rd_buf id, sd, fd;
	size_t i;

	rd_buf_init(&id, 1024);
	rd_buf_init(&sd, 1024);
	rd_buf_init(&fd, 64 * 1024);
	rd_json_init(&j, &r->out, 1);
	rd_json_obj(&j);
	rd_json_kstr(&j, "$schema", SARIF_SCHEMA);
	rd_json_kstr(&j, "version", "2.1.0");
	rd_json_key(&j, "runs");
	rd_json_arr(&j);
	rd_json_obj(&j);
	rd_json_key(&j, "tool");
	rd_json_obj(&j);
	rd_json_key(&j, "driver");
	rd_json_obj(&j);
	rd_json_kstr(&j, "name", "asmgate");
	rd_json_kstr(&j, "version", ASMGATE_VERSION);
	rd_json_kstr(&j, "semanticVersion", ASMGATE_VERSION);
	rd_json_key(&j, "rules");
	rd_json_arr(&j);
	for (i = 0; i < NFIXED; i++)
		sarif_rule(&j, fixed_rules[i].id, fixed_rules[i].shortd,
		    fixed_rules[i].shortd, fixed_rules[i].help, "error");
	if (pol) {
		sarif_rule(&j, "policy/default-deny", "No policy rule allows "
		    "the assembly in its host.", "The host's rules were "
		    "checked: no deny rule and no allow rule matched, so the "
		    "assembly is denied by default.", "Add an allow rule for "
		    "the vendor's key to the host in the policy, or deploy the "
		    "assembly to a host that allows it.", "error");
		for (i = 0; i < pol->nrules; i++) {
			const policy_rule *pr = &pol->rules[i];
			const char *host = pol->hosts[pr->host].name;
			id.len = sd.len = fd.len = 0;
			rd_buf_printf(&id, "policy/%s/%s", host, pr->id);
			rd_buf_printf(&sd, "%s rule '%s' of host %s (line "
			    "%lu).", pr->deny ? "Deny" : "Allow", pr->id, host,
			    pr->line);
			rd_buf_printf(&fd, "%s assemblies in host %s that "
			    "match: ", pr->deny ? "Denies" : "Allows", host);
			policy_rule_describe(&fd, pol, pr);
			rd_buf_putc(&fd, '.');
			sarif_rule(&j, rd_buf_cstr(&id) ? (const char *)id.p :
			    "?", rd_buf_cstr(&sd) ? (const char *)sd.p : "?",
			    rd_buf_cstr(&fd) ? (const char *)fd.p : "?",
			    pr->deny ? "The policy denies this assembly in "
			    "this host. Deploy it elsewhere, or change the "
			    "rule if the denial is wrong." : "Assemblies that "
			    "match this rule are allowed.",
			    pr->deny ? "error" : "none");
		}
	}
	rd_json_arr_end(&j);
	rd_json_obj_end(&j); /* driver */
	rd_json_obj_end(&j); /* tool */
	rd_json_key(&j, "results");
	rd_json_arr(&j);
	r->j = j; /* left open at runs[0].results */
	if (id.failed || sd.failed || fd.failed)
		r->out.failed = 1;
	rd_buf_free(&id);
	rd_buf_free(&sd);
	rd_buf_free(&fd);
}

/* The end of the results, the run's summary, the end of the document. */
static void
sarif_finish(asmgate_report *r)
{
	rd_json *j = &r->j;

	rd_json_arr_end(j); /* results */
	rd_json_key(j, "properties");
	rd_json_obj(j);
	rd_json_key(j, "summary");
	rd_json_obj(j);
	rd_json_kuint(j, "tests", r->tests);
	rd_json_kuint(j, "failures", r->failures);
	rd_json_kuint(j, "errors", r->errors);
	rd_json_kuint(j, "skipped", r->skipped);
	rd_json_kuint(j, "notChecked", r->not_checked);
	rd_json_kuint(j, "waived", r->waived);
	rd_json_obj_end(j);
	rd_json_obj_end(j);
	rd_json_obj_end(j); /* run */
	rd_json_arr_end(j); /* runs */
	rd_json_obj_end(j);
}

asmgate_status
asmgate_report_finish(asmgate_report *r, uint8_t **out, size_t *len,
    asmgate_error *err)
{
	size_t before;

	if (!r || !out || !len)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_report_finish: report and output are required");
	*out = NULL;
	*len = 0;
	if (r->failed != ASMGATE_OK)
		return report_fail(r, r->failed, "", err);
	if (report_start(r, err) != ASMGATE_OK)
		return r->failed;
	if (r->fmt == ASMGATE_REPORT_JUNIT &&
	    junit_close_file(r, err) != ASMGATE_OK)
		return r->failed;
	before = r->out.len;
	if (r->fmt == ASMGATE_REPORT_JUNIT)
		junit_finish(r, &r->out);
	else
		sarif_finish(r);
	if (!r->write)
		r->total += r->out.len - before;
	if (report_flush(r, err) != ASMGATE_OK)
		return r->failed;
	/* Streamed: everything is written; an empty document is returned. */
	r->failed = ASMGATE_E_USAGE; /* finished: no more adds */
	rd_fail_nooff(&r->ferr, ASMGATE_E_USAGE, "report: finished");
	return policy_buf_take(&r->out, out, len, "report", err);
}
