/*
 * verify_report.c - asmgate verify: each subject as text and JSON, into
 * JUnit and SARIF reports, counted, and the summaries of the run.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "report.h"
#include "verify.h"

/* The worse of two verdicts: fail, then waived, then pass. */
static asmgate_verdict
worse(asmgate_verdict a, asmgate_verdict b)
{
	if (a == ASMGATE_VERDICT_FAIL || b == ASMGATE_VERDICT_FAIL)
		return ASMGATE_VERDICT_FAIL;
	return a == ASMGATE_VERDICT_WAIVED ? a : b;
}

/* Whether an assembly fails the run (exit 1), by asmgate_verdict_of:
 * without a policy, for any host with one, or a --fail-on state; a
 * matching waiver (w) lets a failure pass as waived. */
static asmgate_verdict
subject_verdict(const run *r, const asmgate_subject *s,
    const asmgate_waiver *w)
{
	const asmgate_signature *sig = asmgate_subject_signature(s);
	const asmgate_decision *d;
	asmgate_verdict v = ASMGATE_VERDICT_PASS;
	size_t h, nd;

	if (!sig)
		return ASMGATE_VERDICT_PASS; /* an error, counted as one */
	d = asmgate_subject_decisions(s, &nd);
	if (!r->policy)
		v = asmgate_verdict_of(&r->rules, sig, NULL, w);
	for (h = 0; h < nd; h++)
		v = worse(v, asmgate_verdict_of(&r->rules, sig, &d[h], w));
	if (r->policy && r->rules.fail_on & ((uint32_t)1 << sig->state))
		v = worse(v, asmgate_verdict_of(&r->rules, sig, NULL, w));
	return v;
}

static int
subject_fails(const run *r, const asmgate_subject *s)
{
	return subject_verdict(r, s, NULL) != ASMGATE_VERDICT_PASS;
}

/* "  waived (FILE:LINE, expires DATE): REASON" */
static void
print_waiver(FILE *out, const asmgate_waiver *w)
{
	fputs("  waived (", out);
	cmd_put_text(out, w->file);
	fprintf(out, ":%lu", w->line);
	if (w->expires)
		fprintf(out, ", expires %s", w->expires);
	fputs("): ", out);
	cmd_put_text(out, w->reason);
	fputc('\n', out);
}

void
cmd_verify_print_text(const run *r, const asmgate_subject *s,
    const asmgate_waiver *w, FILE *out)
{
	const asmgate_signature *sig = asmgate_subject_signature(s);
	const asmgate_error *e = asmgate_subject_error(s);
	const asmgate_decision *d;
	size_t h, nd;
	unsigned k;

	switch (asmgate_subject_get_kind(s)) {
	case ASMGATE_SUBJECT_SKIPPED:
		if (r->quiet)
			return;
		cmd_put_text(out, asmgate_subject_name(s));
		fputs(": skipped: ", out);
		cmd_put_text(out, e ? e->msg : "");
		fputc('\n', out);
		return;
	case ASMGATE_SUBJECT_ERROR:
		return; /* on stderr, in order, by the printer */
	case ASMGATE_SUBJECT_ASSEMBLY:
		break;
	}
	/* --quiet: what fails the run, and what a waiver let pass */
	if (!sig || (r->quiet && !subject_fails(r, s)))
		return;
	cmd_put_text(out, asmgate_subject_name(s));
	fprintf(out, ": %s", asmgate_sn_state_name(sig->state));
	for (k = 0; k < sig->nreasons; k++) {
		fputs(k == 0 ? ": " : "; ", out);
		cmd_put_text(out, sig->reasons[k]);
	}
	fputc('\n', out);
	d = asmgate_subject_decisions(s, &nd);
	for (h = 0; h < nd && h < r->nhosts; h++) {
		/* The reasons name the deciding rule. */
		fputs("  ", out);
		cmd_put_text(out, asmgate_policy_host_name(r->policy,
		    r->hosts[h]));
		fprintf(out, ": %s%s", d[h].allowed ? "allowed" : "denied",
		    !d[h].allowed && d[h].audit ? " (audit)" : "");
		for (k = 0; k < d[h].nreasons; k++) {
			fputs(k == 0 ? ": " : "; ", out);
			cmd_put_text(out, d[h].reasons[k]);
		}
		fputc('\n', out);
	}
	if (w && subject_verdict(r, s, w) == ASMGATE_VERDICT_WAIVED)
		print_waiver(out, w);
}

void
cmd_verify_print_json(const run *r, const asmgate_subject *s,
    const asmgate_waiver *w, rd_json *j)
{
	const asmgate_signature *sig = asmgate_subject_signature(s);
	const asmgate_error *e = asmgate_subject_error(s);
	asmgate_subject_kind kind = asmgate_subject_get_kind(s);
	const asmgate_decision *d;
	size_t h, nd;
	unsigned k;

	rd_json_obj(j);
	cmd_report_file_json(j, asmgate_subject_name(s),
	    asmgate_subject_origin(s), asmgate_subject_image(s),
	    kind == ASMGATE_SUBJECT_ERROR ? e : NULL);
	rd_json_key(j, "skipped");
	if (kind == ASMGATE_SUBJECT_SKIPPED)
		rd_json_str(j, e ? e->msg : "");
	else
		rd_json_null(j);
	rd_json_key(j, "signature");
	if (kind != ASMGATE_SUBJECT_ASSEMBLY || !sig) {
		rd_json_null(j);
	} else {
		rd_json_obj(j);
		rd_json_kstr(j, "state", asmgate_sn_state_name(sig->state));
		rd_json_key(j, "reasons");
		rd_json_arr(j);
		for (k = 0; k < sig->nreasons; k++)
			rd_json_str(j, sig->reasons[k]);
		rd_json_arr_end(j);
		if (sig->key_bits)
			rd_json_kuint(j, "keyBits", sig->key_bits);
		else
			rd_json_knull(j, "keyBits");
		rd_json_kstr(j, "hashAlgorithm", sig->hash_name);
		rd_json_kbool(j, "flagSet", sig->flag_set);
		rd_json_kstr(j, "verifiedWith",
		    asmgate_verified_with_name(sig->verified_with));
		/* The key whose check passed (differs from the identity under
		 * enhanced strong naming, ECMA substitution, --key-map and
		 * test keys). */
		rd_json_khex(j, "signerToken", sig->has_signer ?
		    sig->signer_token : NULL, 8);
		rd_json_obj_end(j);
	}
	if (r->policy) {
		d = asmgate_subject_decisions(s, &nd);
		rd_json_key(j, "policy");
		rd_json_arr(j);
		for (h = 0; h < nd && h < r->nhosts; h++) {
			rd_json_obj(j);
			rd_json_kstr(j, "host", asmgate_policy_host_name(r->policy,
			    r->hosts[h]));
			rd_json_kstr(j, "decision", d[h].allowed ? "allowed" :
			    "denied");
			rd_json_kbool(j, "audit", d[h].audit);
			rd_json_kstr(j, "rule", d[h].rule);
			rd_json_key(j, "reasons");
			rd_json_arr(j);
			for (k = 0; k < d[h].nreasons; k++)
				rd_json_str(j, d[h].reasons[k]);
			rd_json_arr_end(j);
			rd_json_obj_end(j);
		}
		rd_json_arr_end(j);
	}
	if (r->waivers) {
		rd_json_key(j, "waived");
		if (!w || kind != ASMGATE_SUBJECT_ASSEMBLY ||
		    subject_verdict(r, s, w) != ASMGATE_VERDICT_WAIVED) {
			rd_json_null(j);
		} else {
			rd_buf at;

			rd_buf_init(&at, RD_MAX_REPORT_BYTES);
			rd_buf_printf(&at, "%s:%lu", w->file, w->line);
			rd_json_obj(j);
			rd_json_kstr(j, "reason", w->reason);
			if (w->expires)
				rd_json_kstr(j, "expires", w->expires);
			else
				rd_json_knull(j, "expires");
			rd_json_kstr(j, "pattern", w->pattern);
			rd_json_kstr(j, "file", w->file);
			rd_json_kuint(j, "line", w->line);
			/* FILE:LINE, as the warnings name a waiver */
			rd_json_kstr(j, "waiver", rd_buf_cstr(&at) ?
			    (const char *)at.p : w->file);
			rd_json_obj_end(j);
			rd_buf_free(&at);
		}
	}
	rd_json_obj_end(j);
}


/* The JSON document's end: the summary of the run. */
void
cmd_verify_json_summary(rd_json *j, const run *r, const tally *t,
    const asmgate_scan_stats *st)
{
	int c;

	rd_json_arr_end(j);
	rd_json_key(j, "summary");
	rd_json_obj(j);
	rd_json_kuint(j, "assemblies", t->verified);
	for (c = ASMGATE_SN_INVALID; c <= ASMGATE_SN_SIGNED; c++)
		rd_json_kuint(j, asmgate_sn_state_name((asmgate_sn_state)c),
		    t->states[c]);
	rd_json_kuint(j, "skipped", t->skipped);
	rd_json_kuint(j, "notChecked", t->not_checked);
	rd_json_kuint(j, "unreadable", t->errors);
	rd_json_kuint(j, "containers", st->containers);
	rd_json_kuint(j, "members", st->members);
	rd_json_kuint(j, "membersIgnored", st->members_ignored);
	rd_json_kuint(j, "excluded", st->excluded);
	if (r->policy) {
		rd_json_kuint(j, "allowed", t->allowed);
		rd_json_kuint(j, "denied", t->denied);
		rd_json_kuint(j, "auditDenied", t->audit_denied);
	}
	/* Assemblies that fail the run (exit 1), by the rule JUnit and
	 * SARIF follow too; failOn: of those, by --fail-on. */
	rd_json_kuint(j, "failed", t->failed);
	rd_json_kuint(j, "failOn", t->failed_on);
	rd_json_kuint(j, "waived", t->waived);
	rd_json_obj_end(j);
	rd_json_obj_end(j);
}

/* One subject into the JUnit/SARIF report: per host with a policy. */
void
cmd_verify_add_report(const run *r, const asmgate_subject *s,
    const asmgate_waiver *w, asmgate_report *rep)
{
	const asmgate_origin *o = asmgate_subject_origin(s);
	const char *name = asmgate_subject_name(s);
	const asmgate_image *img = asmgate_subject_image(s);
	const asmgate_decision *d;
	asmgate_error err;
	size_t h, nd;

	asmgate_error_clear(&err);
	switch (asmgate_subject_get_kind(s)) {
	case ASMGATE_SUBJECT_SKIPPED:
		if (asmgate_subject_error(s))
			(void)asmgate_report_add_skipped(rep, name, o,
			    asmgate_subject_error(s), &err);
		return;
	case ASMGATE_SUBJECT_ERROR:
		(void)asmgate_report_add_origin(rep, name, o, img,
		    asmgate_subject_error(s), NULL, NULL, NULL, &err);
		return;
	case ASMGATE_SUBJECT_ASSEMBLY:
		break;
	}
	/* The report lets the failures it waives pass, by the same rule
	 * (asmgate_verdict_of). */
	asmgate_report_set_waiver(rep, w);
	if (!r->policy) {
		(void)asmgate_report_add_origin(rep, name, o, img, NULL,
		    asmgate_subject_signature(s), NULL, NULL, &err);
		asmgate_report_set_waiver(rep, NULL);
		return;
	}
	d = asmgate_subject_decisions(s, &nd);
	for (h = 0; h < nd && h < r->nhosts; h++)
		(void)asmgate_report_add_origin(rep, name, o, img, NULL,
		    asmgate_subject_signature(s),
		    asmgate_policy_host_name(r->policy, r->hosts[h]), &d[h],
		    &err);
	asmgate_report_set_waiver(rep, NULL);
}


asmgate_verdict
cmd_verify_count(const run *r, const asmgate_subject *s,
    const asmgate_waiver *w, tally *t)
{
	const asmgate_signature *sig = asmgate_subject_signature(s);
	const asmgate_decision *d;
	asmgate_verdict v;
	size_t h, nd;

	switch (asmgate_subject_get_kind(s)) {
	case ASMGATE_SUBJECT_SKIPPED:
		t->skipped++;
		if (asmgate_subject_error(s) &&
		    asmgate_subject_error(s)->code != ASMGATE_E_NOT_DOTNET &&
		    asmgate_subject_error(s)->code != ASMGATE_E_NO_ASSEMBLY)
			t->not_checked++;
		return ASMGATE_VERDICT_PASS;
	case ASMGATE_SUBJECT_ERROR:
		t->errors++;
		return ASMGATE_VERDICT_FAIL;
	case ASMGATE_SUBJECT_ASSEMBLY:
		break;
	}
	if (!sig) { /* fail closed: an assembly without a result */
		t->errors++;
		return ASMGATE_VERDICT_FAIL;
	}
	t->verified++;
	t->states[sig->state]++;
	if (asmgate_verdict_fails(&r->rules, sig, NULL))
		t->not_signed++;
	if (r->rules.fail_on & ((uint32_t)1 << sig->state))
		t->failed_on++;
	d = asmgate_subject_decisions(s, &nd);
	if (r->policy && nd != r->nhosts) {
		t->errors++;
		return ASMGATE_VERDICT_FAIL;
	}
	for (h = 0; h < nd; h++) {
		if (d[h].allowed)
			t->allowed++;
		else if (d[h].audit)
			t->audit_denied++;
		else
			t->denied++;
	}
	/* One rule (asmgate_verdict_fails) for the exit status, the
	 * summaries, --quiet and the JUnit and SARIF reports. */
	v = subject_verdict(r, s, w);
	if (v == ASMGATE_VERDICT_FAIL)
		t->failed++;
	else if (v == ASMGATE_VERDICT_WAIVED)
		t->waived++;
	return v;
}

void
cmd_verify_print_summary(const run *r, const tally *t,
    const asmgate_scan_stats *st)
{
	int k;
	int first = 1;

	printf("%u %s:", t->verified, t->verified == 1 ? "assembly" :
	    "assemblies");
	for (k = ASMGATE_SN_SIGNED; k >= 0; k--) {
		if (!t->states[k])
			continue;
		printf("%s %u %s", first ? "" : ",", t->states[k],
		    asmgate_sn_state_name((asmgate_sn_state)k));
		first = 0;
	}
	if (first)
		printf(" none");
	if (t->skipped)
		printf("; %u skipped", t->skipped);
	if (t->not_checked)
		printf(" (%u not checked)", t->not_checked);
	if (t->errors)
		printf("; %u unreadable", t->errors);
	if (st->excluded)
		printf("; %llu excluded", (unsigned long long)st->excluded);
	if (st->containers)
		printf("; %llu container%s, %llu member%s examined "
		    "(%llu not assemblies)",
		    (unsigned long long)st->containers,
		    st->containers == 1 ? "" : "s",
		    (unsigned long long)st->members,
		    st->members == 1 ? "" : "s",
		    (unsigned long long)st->members_ignored);
	if (r->policy)
		printf("; decisions: %u allowed, %u denied%s", t->allowed,
		    t->denied + t->audit_denied,
		    t->audit_denied ? " (some in audit hosts)" : "");
	if (t->failed_on)
		printf("; %u in a --fail-on state", t->failed_on);
	if (t->waived)
		printf("; %u waived", t->waived);
	putchar('\n');
}
