/*
 * report.c - CI reports: JUnit XML and SARIF 2.1.0.
 *
 * JUnit (the de facto Ant/Jenkins structure that Jenkins, GitLab and
 * Azure DevOps read): <testsuites> holds one <testsuite> per host (or one
 * "strong-name" suite without a policy) with tests/failures/errors
 * counts; one <testcase name classname time> per assembly and host,
 * classname the host; a denial is a <failure message type>, an unreadable
 * file an <error message type>, each with the details as its text; a
 * pass has them in <system-out>. An audit-mode denial passes, with
 * "AUDIT: ... is denied ..." first in <system-out>. Testcase names
 * carry the path so they stay unique (GitLab keeps only the first of
 * equal names).
 *
 * SARIF 2.1.0 (OASIS; the members GitHub code scanning reads): $schema,
 * version, runs[0].tool.driver {name, version, rules[]} with a rule per
 * policy rule ("policy/HOST/RULE") plus "policy/default-deny",
 * "asmgate/unreadable" and "strong-name/STATE"; one result per denial,
 * unreadable file or (without a policy) unsigned assembly, with ruleId,
 * ruleIndex, level (error; warning in audit mode), message.text, the file
 * as locations[0].physicalLocation.artifactLocation.uri, and
 * partialFingerprints.
 *
 * Everything is built in rd_bufs capped at RD_MAX_REPORT_BYTES in all.
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
};
#define NFIXED (sizeof(fixed_rules) / sizeof(fixed_rules[0]))
#define RULE_DEFAULT_DENY NFIXED /* when there is a policy */

typedef struct report_suite {
	char *name;                 /* host, or "strong-name" */
	rd_buf body;                /* <testcase> elements */
	unsigned long tests, failures, errors;
	int audit, has_mode;
} report_suite;

struct asmgate_report {
	asmgate_report_format fmt;
	const asmgate_policy *pol;
	report_suite *suites;       /* RD_MAX_REPORT_SUITES slots */
	size_t nsuites;
	rd_buf results;             /* SARIF result objects */
	unsigned long nresults;
	size_t total;               /* bytes in all buffers */
	asmgate_status failed;      /* sticky */
	asmgate_error ferr;
};

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
	if (r)
		r->suites = calloc(RD_MAX_REPORT_SUITES, sizeof(*r->suites));
	if (!r || !r->suites) {
		free(r);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	r->fmt = fmt;
	r->pol = pol;
	rd_buf_init(&r->results, RD_MAX_REPORT_BYTES);
	*out = r;
	return ASMGATE_OK;
}

void
asmgate_report_free(asmgate_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nsuites; i++) {
		free(r->suites[i].name);
		rd_buf_free(&r->suites[i].body);
	}
	free(r->suites);
	rd_buf_free(&r->results);
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

/* Append a finished fragment to dst, within the report's total cap. */
static asmgate_status
report_append(asmgate_report *r, rd_buf *dst, rd_buf *frag,
    asmgate_error *err)
{
	if (frag->failed)
		return report_fail(r, ASMGATE_E_NOMEM, "out of memory", err);
	if (frag->len > RD_MAX_REPORT_BYTES - r->total)
		return report_fail(r, ASMGATE_E_LIMIT,
		    "larger than the report size limit", err);
	if (!rd_buf_put(dst, frag->p, frag->len))
		return report_fail(r, ASMGATE_E_NOMEM, "out of memory", err);
	r->total += frag->len;
	return ASMGATE_OK;
}

static report_suite *
find_suite(asmgate_report *r, const char *name, asmgate_error *err)
{
	report_suite *s;
	size_t i, n = strlen(name);

	for (i = 0; i < r->nsuites; i++)
		if (strcmp(r->suites[i].name, name) == 0)
			return &r->suites[i];
	if (r->nsuites >= RD_MAX_REPORT_SUITES) {
		report_fail(r, ASMGATE_E_LIMIT, "too many hosts", err);
		return NULL;
	}
	s = &r->suites[r->nsuites];
	s->name = malloc(n + 1);
	if (!s->name) {
		report_fail(r, ASMGATE_E_NOMEM, "out of memory", err);
		return NULL;
	}
	memcpy(s->name, name, n + 1);
	rd_buf_init(&s->body, RD_MAX_REPORT_BYTES);
	if (r->pol) {
		long h = asmgate_policy_find_host(r->pol, name);
		if (h >= 0) {
			s->has_mode = 1;
			s->audit = asmgate_policy_host_audit(r->pol, (size_t)h);
		}
	}
	r->nsuites++;
	return s;
}

/* What one add() reports, worked out once for both formats. */
typedef struct outcome {
	const char *path;           /* display name */
	const asmgate_origin *origin; /* NULL: path is a file on disk */
	const char *host;           /* NULL without a policy */
	int error;                  /* file unreadable or not verified */
	int fail;                   /* denied or (no policy) not signed */
	int audit;                  /* a denial that does not fail */
	const char *rule_id;        /* SARIF ruleId */
	long rule_index;            /* -1: not in driver.rules */
	const char *type;           /* JUnit failure/error type */
	char message[512];          /* one line */
} outcome;

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

static void
work_out(outcome *o, const asmgate_report *r, const char *path,
    const asmgate_origin *origin, const asmgate_image *img,
    const asmgate_error *file_err, const asmgate_signature *sig,
    const char *host, const asmgate_decision *d)
{
	char who[300];
	rd_buf nb;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->origin = origin;
	o->host = host;
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
			    d->nreasons > 1 ? d->reasons[1] :
			    "no rule matched");
		return;
	}
	if (sig) {
		size_t i;
		if (sig->state == ASMGATE_SN_SIGNED) {
			say(o, "%s is strong-name signed", who);
			return;
		}
		o->fail = 1;
		o->type = "strong-name";
		for (i = 1; i < NFIXED; i++) {
			const char *st = fixed_rules[i].id +
			    strlen("strong-name/");
			if (strcmp(st, asmgate_sn_state_name(sig->state)) ==
			    0) {
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

static asmgate_status
add_junit(asmgate_report *r, const outcome *o, const asmgate_image *img,
    const asmgate_error *file_err, const asmgate_signature *sig,
    const asmgate_decision *d, asmgate_error *err)
{
	report_suite *s = find_suite(r, o->host ? o->host : "strong-name",
	    err);
	rd_buf tc, det;
	asmgate_status st;

	if (!s)
		return r->failed;
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
	policy_xml_puts(&tc, s->name, 1);
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
	st = report_append(r, &s->body, &tc, err);
	rd_buf_free(&tc);
	if (st != ASMGATE_OK)
		return st;
	s->tests++;
	if (o->error)
		s->errors++;
	else if (o->fail)
		s->failures++;
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

	if (!o->error && !o->fail && !o->audit)
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
		rd_json_kstr(&j, "verdict", asmgate_decision_verdict(d));
		rd_json_kbool(&j, "audit", d->audit);
	}
	rd_json_obj_end(&j);
	rd_json_obj_end(&j);
	rd_buf_free(&id);
	st = report_append(r, &r->results, &res, err);
	rd_buf_free(&res);
	if (st == ASMGATE_OK)
		r->nresults++;
	return st;
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
	work_out(&o, r, path, origin, img, file_err, sig, host, d);
	if (r->fmt == ASMGATE_REPORT_JUNIT)
		return add_junit(r, &o, img, file_err, sig, d, err);
	return add_sarif(r, &o, img, sig, d, err);
}

static void
junit_finish(asmgate_report *r, rd_buf *b)
{
	unsigned long tests = 0, failures = 0, errors = 0;
	size_t i;

	for (i = 0; i < r->nsuites; i++) {
		tests += r->suites[i].tests;
		failures += r->suites[i].failures;
		errors += r->suites[i].errors;
	}
	rd_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	rd_buf_printf(b, "<testsuites name=\"asmgate\" tests=\"%lu\" "
	    "failures=\"%lu\" errors=\"%lu\" time=\"0\">\n", tests, failures,
	    errors);
	for (i = 0; i < r->nsuites; i++) {
		const report_suite *s = &r->suites[i];
		rd_buf_puts(b, "  <testsuite name=\"");
		policy_xml_puts(b, s->name, 1);
		rd_buf_printf(b, "\" tests=\"%lu\" failures=\"%lu\" "
		    "errors=\"%lu\" skipped=\"0\" time=\"0\">\n", s->tests,
		    s->failures, s->errors);
		if (s->has_mode)
			rd_buf_printf(b, "    <properties>\n"
			    "      <property name=\"mode\" value=\"%s\"/>\n"
			    "    </properties>\n", s->audit ? "audit" :
			    "enforce");
		rd_buf_put(b, s->body.p, s->body.len);
		rd_buf_puts(b, "  </testsuite>\n");
	}
	rd_buf_puts(b, "</testsuites>\n");
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
sarif_finish(asmgate_report *r, rd_buf *b)
{
	const asmgate_policy *pol = r->pol;
	rd_json j;
	rd_buf id, sd, fd;
	size_t i;

	rd_buf_init(&id, 1024);
	rd_buf_init(&sd, 1024);
	rd_buf_init(&fd, 64 * 1024);
	rd_json_init(&j, b, 1);
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
	rd_json_splice(&j, r->results.p, r->results.len,
	    r->nresults ? 1u : 0u);
	rd_json_arr_end(&j);
	rd_json_obj_end(&j); /* run */
	rd_json_arr_end(&j); /* runs */
	rd_json_obj_end(&j);
	if (id.failed || sd.failed || fd.failed)
		b->failed = 1;
	rd_buf_free(&id);
	rd_buf_free(&sd);
	rd_buf_free(&fd);
}

asmgate_status
asmgate_report_finish(asmgate_report *r, uint8_t **out, size_t *len,
    asmgate_error *err)
{
	rd_buf b;

	if (!r || !out || !len)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_report_finish: report and output are required");
	*out = NULL;
	*len = 0;
	if (r->failed != ASMGATE_OK)
		return report_fail(r, r->failed, "", err);
	rd_buf_init(&b, RD_MAX_REPORT_BYTES);
	if (r->fmt == ASMGATE_REPORT_JUNIT)
		junit_finish(r, &b);
	else
		sarif_finish(r, &b);
	return policy_buf_take(&b, out, len, "report", err);
}
