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

/* 1 when a subject fails the run (exit 1): asmgate_verdict_fails_ac
 * without a policy, for any host with one, or a --fail-on state; a
 * skipped native PE file on its Authenticode outcome alone. */
static int
subject_fails(const run *r, const asmgate_subject *s)
{
	const asmgate_signature *sig = asmgate_subject_signature(s);
	const asmgate_authenticode *ac = asmgate_subject_authenticode(s);
	const asmgate_decision *d;
	size_t h, nd;
	int fails;

	if (asmgate_subject_get_kind(s) == ASMGATE_SUBJECT_SKIPPED)
		return ac && asmgate_verdict_fails_ac(&r->rules, NULL, ac,
		    r->policy ? &(const asmgate_decision){ .allowed = 1 } :
		    NULL);
	if (!sig)
		return 0;
	d = asmgate_subject_decisions(s, &nd);
	fails = !r->policy && asmgate_verdict_fails_ac(&r->rules, sig, ac,
	    NULL);
	for (h = 0; h < nd; h++)
		fails |= asmgate_verdict_fails_ac(&r->rules, sig, ac, &d[h]);
	if (r->policy && r->rules.fail_on & ((uint32_t)1 << sig->state))
		fails = 1;
	return fails;
}

/* "; authenticode STATE, signer SUBJECT: REASON" on the file's line,
 * when the file carries a signature (absent: nothing, as before). */
static void
text_ac(const asmgate_authenticode *ac, FILE *out)
{
	if (!ac || ac->state == ASMGATE_AC_UNSIGNED)
		return;
	fprintf(out, "; authenticode %s", asmgate_ac_state_name(ac->state));
	if (ac->nsignatures > 0 && ac->signatures[0].has_signer) {
		fputs(", signer ", out);
		cmd_put_text(out, ac->signatures[0].signer.subject.text);
	}
	if (ac->state != ASMGATE_AC_VALID && ac->nreasons > 0) {
		fputs(": ", out);
		cmd_put_text(out, ac->reasons[0]);
	}
}

static void
json_ac_cert_time(rd_json *j, const char *k, int64_t t)
{
	char buf[32];

	cmd_format_time(buf, sizeof(buf), t);
	rd_json_kstr(j, k, buf);
}

/* "authenticode": {"state", "reasons", "signatures": [...]}, or null. */
static void
json_ac(rd_json *j, const asmgate_authenticode *ac)
{
	size_t i, c;
	unsigned k;

	rd_json_key(j, "authenticode");
	if (!ac) {
		rd_json_null(j);
		return;
	}
	rd_json_obj(j);
	rd_json_kstr(j, "state", asmgate_ac_state_name(ac->state));
	rd_json_key(j, "reasons");
	rd_json_arr(j);
	for (k = 0; k < ac->nreasons; k++)
		rd_json_str(j, ac->reasons[k]);
	rd_json_arr_end(j);
	rd_json_key(j, "signatures");
	rd_json_arr(j);
	for (i = 0; i < ac->nsignatures; i++) {
		const asmgate_ac_signature *g = &ac->signatures[i];

		rd_json_obj(j);
		rd_json_kstr(j, "digestAlgorithm", g->digest_algorithm);
		rd_json_key(j, "signer");
		if (!g->has_signer) {
			rd_json_null(j);
		} else {
			rd_json_obj(j);
			rd_json_kstr(j, "subject", g->signer.subject.text);
			rd_json_kstr(j, "issuer", g->signer.issuer.text);
			rd_json_kstr(j, "serial", g->signer.serial);
			rd_json_khex(j, "sha1", g->signer.sha1, 20);
			rd_json_khex(j, "sha256", g->signer.sha256, 32);
			json_ac_cert_time(j, "notBefore", g->signer.not_before);
			json_ac_cert_time(j, "notAfter", g->signer.not_after);
			rd_json_obj_end(j);
		}
		rd_json_key(j, "chain");
		rd_json_arr(j);
		for (c = 0; c < g->nchain; c++) {
			rd_json_obj(j);
			rd_json_kstr(j, "subject", g->chain[c].subject.text);
			rd_json_khex(j, "sha256", g->chain[c].sha256, 32);
			rd_json_obj_end(j);
		}
		rd_json_arr_end(j);
		rd_json_key(j, "timestamp");
		rd_json_obj(j);
		rd_json_kstr(j, "kind", asmgate_ac_ts_kind_name(g->ts_kind));
		if (g->ts_kind) {
			json_ac_cert_time(j, "time", g->ts_time);
			rd_json_kstr(j, "signer", g->ts_signer.text);
		} else {
			rd_json_knull(j, "time");
			rd_json_knull(j, "signer");
		}
		rd_json_obj_end(j);
		rd_json_obj_end(j);
	}
	rd_json_arr_end(j);
	rd_json_obj_end(j);
}

void
cmd_verify_print_text(const run *r, const asmgate_subject *s, FILE *out)
{
	const asmgate_signature *sig = asmgate_subject_signature(s);
	const asmgate_error *e = asmgate_subject_error(s);
	const asmgate_decision *d;
	size_t h, nd;
	unsigned k;

	switch (asmgate_subject_get_kind(s)) {
	case ASMGATE_SUBJECT_SKIPPED:
		if (r->quiet && !subject_fails(r, s))
			return;
		cmd_put_text(out, asmgate_subject_name(s));
		fputs(": skipped: ", out);
		cmd_put_text(out, e ? e->msg : "");
		text_ac(asmgate_subject_authenticode(s), out);
		fputc('\n', out);
		return;
	case ASMGATE_SUBJECT_ERROR:
		return; /* on stderr, in order, by the printer */
	case ASMGATE_SUBJECT_ASSEMBLY:
		break;
	}
	if (!sig || (r->quiet && !subject_fails(r, s)))
		return;
	cmd_put_text(out, asmgate_subject_name(s));
	fprintf(out, ": %s", asmgate_sn_state_name(sig->state));
	for (k = 0; k < sig->nreasons; k++) {
		fputs(k == 0 ? ": " : "; ", out);
		cmd_put_text(out, sig->reasons[k]);
	}
	text_ac(asmgate_subject_authenticode(s), out);
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
}

void
cmd_verify_print_json(const run *r, const asmgate_subject *s, rd_json *j)
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
	json_ac(j, asmgate_subject_authenticode(s));
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
	rd_json_obj_end(j);
	rd_json_obj_end(j);
}

/* One subject into the JUnit/SARIF report: per host with a policy. */
void
cmd_verify_add_report(const run *r, const asmgate_subject *s,
    asmgate_report *rep)
{
	const asmgate_origin *o = asmgate_subject_origin(s);
	const char *name = asmgate_subject_name(s);
	const asmgate_image *img = asmgate_subject_image(s);
	const asmgate_authenticode *ac;
	const asmgate_decision *d;
	asmgate_error err;
	size_t h, nd;

	asmgate_error_clear(&err);
	ac = asmgate_subject_authenticode(s);
	switch (asmgate_subject_get_kind(s)) {
	case ASMGATE_SUBJECT_SKIPPED:
		/* a native PE file with an Authenticode signature: its
		 * outcome (asmgate_verdict_fails_ac judges it alone) */
		if (ac && (ac->state != ASMGATE_AC_UNSIGNED ||
		    (r->rules.fail_on &
		    ASMGATE_FAIL_ON_AC(ASMGATE_AC_UNSIGNED))))
			(void)asmgate_report_add_ac(rep, name, o, NULL, NULL,
			    NULL, ac, NULL, NULL, &err);
		else if (asmgate_subject_error(s))
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
	if (!r->policy) {
		(void)asmgate_report_add_ac(rep, name, o, img, NULL,
		    asmgate_subject_signature(s), ac, NULL, NULL, &err);
		return;
	}
	d = asmgate_subject_decisions(s, &nd);
	for (h = 0; h < nd && h < r->nhosts; h++)
		(void)asmgate_report_add_ac(rep, name, o, img, NULL,
		    asmgate_subject_signature(s), ac,
		    asmgate_policy_host_name(r->policy, r->hosts[h]), &d[h],
		    &err);
}


void
cmd_verify_count(const run *r, const asmgate_subject *s, tally *t)
{
	const asmgate_signature *sig = asmgate_subject_signature(s);
	const asmgate_decision *d;
	size_t h, nd;

	/* A PE file decided on its Authenticode signature: one that
	 * carries a signature, or any with --require-authenticode. */
	if (asmgate_subject_authenticode(s)) {
		const asmgate_authenticode *ac = asmgate_subject_authenticode(s);

		if (ac->state != ASMGATE_AC_UNSIGNED || (r->rules.fail_on &
		    ASMGATE_FAIL_ON_AC(ASMGATE_AC_UNSIGNED)))
			t->ac_checked++;
		t->ac_states[ac->state % ASMGATE_AC_STATE_COUNT]++;
	}
	switch (asmgate_subject_get_kind(s)) {
	case ASMGATE_SUBJECT_SKIPPED:
		t->skipped++;
		if (subject_fails(r, s))
			t->failed++;
		if (asmgate_subject_error(s) &&
		    asmgate_subject_error(s)->code != ASMGATE_E_NOT_DOTNET &&
		    asmgate_subject_error(s)->code != ASMGATE_E_NO_ASSEMBLY)
			t->not_checked++;
		return;
	case ASMGATE_SUBJECT_ERROR:
		t->errors++;
		return;
	case ASMGATE_SUBJECT_ASSEMBLY:
		break;
	}
	if (!sig) { /* fail closed: an assembly without a result */
		t->errors++;
		return;
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
		return;
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
	if (subject_fails(r, s))
		t->failed++;
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
	/* Authenticode, when any file carries a signature. */
	if (t->ac_checked) {
		first = 1;
		printf("; authenticode:");
		for (k = 0; k < (int)ASMGATE_AC_STATE_COUNT; k++) {
			if (!t->ac_states[k] || k == ASMGATE_AC_UNSIGNED)
				continue;
			printf("%s %u %s", first ? "" : ",", t->ac_states[k],
			    asmgate_ac_state_name((asmgate_ac_state)k));
			first = 0;
		}
		if (first)
			printf(" none signed");
	}
	putchar('\n');
}
