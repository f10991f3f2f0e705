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

/* Whether a subject fails the run (exit 1), by asmgate_verdict_of:
 * without a policy, for any host with one, or a --fail-on state; a
 * skipped native PE file on its Authenticode outcome alone; a matching
 * waiver (w) lets a failure pass as waived. */
static asmgate_verdict
subject_verdict(const run *r, const asmgate_subject *s,
    const asmgate_waiver *w)
{
	const asmgate_signature *sig = asmgate_subject_signature(s);
	const asmgate_authenticode *ac = asmgate_subject_authenticode(s);
	const asmgate_decision *d;
	asmgate_verdict v = ASMGATE_VERDICT_PASS;
	size_t h, nd;

	if (asmgate_subject_get_kind(s) == ASMGATE_SUBJECT_SKIPPED)
		/* a native PE file: no policy rule speaks of it, so its
		 * Authenticode outcome alone decides, with a policy or not
		 * (the report judges it the same way: decision NULL) */
		return ac ? asmgate_verdict_of(&r->rules, NULL, ac, NULL, w) :
		    ASMGATE_VERDICT_PASS;
	if (!sig)
		return ASMGATE_VERDICT_PASS; /* an error, counted as one */
	if (asmgate_subject_get_resource(s) &&
	    asmgate_subject_get_resource(s)->denial)
		/* the package lies: with or without a policy, and no
		 * waiver lets that pass (fail closed) */
		return ASMGATE_VERDICT_FAIL;
	d = asmgate_subject_decisions(s, &nd);
	if (!r->policy)
		v = asmgate_verdict_of(&r->rules, sig, ac, NULL, w);
	for (h = 0; h < nd; h++)
		v = worse(v, asmgate_verdict_of(&r->rules, sig, ac, &d[h], w));
	/* --fail-on (and --require-authenticode) whatever the policy
	 * says, also for an assembly no host decides; unknown states
	 * fail (fail closed) */
	if (r->policy && ((unsigned)sig->state > ASMGATE_SN_SIGNED ||
	    (r->rules.fail_on & ((uint32_t)1 << sig->state)) ||
	    (ac && ((unsigned)ac->state >= ASMGATE_AC_STATE_COUNT ||
	    (r->rules.fail_on & ASMGATE_FAIL_ON_AC(ac->state))))))
		v = worse(v, asmgate_verdict_of(&r->rules, sig, ac, NULL, w));
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

/* The policy host of decision h: the placement's with bindings, else
 * the run's h-th host. */
static size_t
dec_host(const run *r, const asmgate_subject *s, size_t h)
{
	size_t np;
	const asmgate_placement *pl = asmgate_subject_placements(s, &np);

	return pl && h < np ? pl[h].host : r->hosts[h];
}

/* Why host h decides the subject: "ROLE: VIA (FILE:LINE)". */
static void
placement_text(rd_buf *b, const asmgate_subject *s, size_t h)
{
	size_t np;
	const asmgate_placement *pl = asmgate_subject_placements(s, &np);

	if (!pl || h >= np)
		return;
	rd_buf_printf(b, "placed: %s: %s", asmgate_role_name(pl[h].role),
	    pl[h].via);
	if (pl[h].file)
		rd_buf_printf(b, " (%s:%lu)", pl[h].file, pl[h].line);
}

/* Decision h with the placement as its last reason (JUnit, SARIF). */
static asmgate_decision
with_placement(const asmgate_subject *s, const asmgate_decision *d,
    size_t h)
{
	asmgate_decision x = d[h];
	rd_buf b;

	rd_buf_init(&b, ASMGATE_REASON_MAX - 1);
	placement_text(&b, s, h);
	if (b.len && !b.failed && x.nreasons < ASMGATE_MAX_REASONS) {
		memcpy(x.reasons[x.nreasons], b.p, b.len);
		x.reasons[x.nreasons][b.len] = '\0';
		x.nreasons++;
	}
	rd_buf_free(&b);
	return x;
}

/* "; authenticode STATE, signer SUBJECT: REASON" on the file's line,
 * when the file carries a signature (absent: nothing, as before). */
static void
text_ac(const run *r, const asmgate_authenticode *ac, FILE *out)
{
	if (ac && ac->state == ASMGATE_AC_UNSIGNED && (r->rules.fail_on &
	    ASMGATE_FAIL_ON_AC(ASMGATE_AC_UNSIGNED))) {
		fputs("; authenticode unsigned (--require-authenticode)", out);
		return;
	}
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
		if (r->quiet && !subject_fails(r, s))
			return;
		cmd_put_text(out, asmgate_subject_name(s));
		fputs(": skipped: ", out);
		cmd_put_text(out, e ? e->msg : "");
		text_ac(r, asmgate_subject_authenticode(s), out);
		fputc('\n', out);
		if (w && subject_verdict(r, s, w) == ASMGATE_VERDICT_WAIVED)
			print_waiver(out, w);
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
	text_ac(r, asmgate_subject_authenticode(s), out);
	fputc('\n', out);
	d = asmgate_subject_decisions(s, &nd);
	if (r->nbindings && nd == 0 && r->policy)
		fputs("  not decided: placed only in hosts outside --host\n",
		    out);
	for (h = 0; h < nd && h < r->nhosts; h++) {
		rd_buf pb;

		/* The reasons name the deciding rule. */
		fputs("  ", out);
		cmd_put_text(out, asmgate_policy_host_name(r->policy,
		    dec_host(r, s, h)));
		fprintf(out, ": %s%s", d[h].allowed ? "allowed" : "denied",
		    !d[h].allowed && d[h].audit ? " (audit)" : "");
		for (k = 0; k < d[h].nreasons; k++) {
			fputs(k == 0 ? ": " : "; ", out);
			cmd_put_text(out, d[h].reasons[k]);
		}
		fputc('\n', out);
		/* Why this host (with bindings). */
		rd_buf_init(&pb, RD_MAX_REPORT_BYTES);
		placement_text(&pb, s, h);
		if (pb.len && rd_buf_cstr(&pb)) {
			fputs("    ", out);
			cmd_put_text(out, (const char *)pb.p);
			fputc('\n', out);
		}
		rd_buf_free(&pb);
	}
	if (w && subject_verdict(r, s, w) == ASMGATE_VERDICT_WAIVED)
		print_waiver(out, w);
	cmd_print_resource_text(asmgate_subject_get_resource(s), out);
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
	json_ac(j, asmgate_subject_authenticode(s));
	if (r->policy) {
		d = asmgate_subject_decisions(s, &nd);
		rd_json_key(j, "policy");
		rd_json_arr(j);
		for (h = 0; h < nd && h < r->nhosts; h++) {
			size_t np;
			const asmgate_placement *pl =
			    asmgate_subject_placements(s, &np);

			rd_json_obj(j);
			rd_json_kstr(j, "host", asmgate_policy_host_name(r->policy,
			    dec_host(r, s, h)));
			rd_json_kstr(j, "decision", d[h].allowed ? "allowed" :
			    "denied");
			rd_json_kbool(j, "audit", d[h].audit);
			rd_json_kstr(j, "rule", d[h].rule);
			rd_json_key(j, "reasons");
			rd_json_arr(j);
			for (k = 0; k < d[h].nreasons; k++)
				rd_json_str(j, d[h].reasons[k]);
			rd_json_arr_end(j);
			/* Why this host decides: the element that placed
			 * the assembly, or the command line. */
			rd_json_key(j, "placement");
			rd_json_obj(j);
			if (pl && h < np) {
				rd_json_kstr(j, "role",
				    asmgate_role_name(pl[h].role));
				rd_json_key(j, "binding");
				if (pl[h].file) {
					rd_buf fl;
					rd_buf_init(&fl, RD_MAX_REPORT_BYTES);
					rd_buf_printf(&fl, "%s:%lu", pl[h].file,
					    pl[h].line);
					rd_json_str(j, rd_buf_cstr(&fl));
					rd_buf_free(&fl);
				} else {
					rd_json_null(j);
				}
				rd_json_kstr(j, "via", pl[h].via);
			} else {
				rd_json_kstr(j, "role", "option");
				rd_json_knull(j, "binding");
				rd_json_kstr(j, "via", r->nhosts <
				    asmgate_policy_host_count(r->policy) ?
				    "--host" : "every host of the policy");
			}
			rd_json_obj_end(j);
			rd_json_obj_end(j);
		}
		rd_json_arr_end(j);
	}
	if (r->waivers) {
		rd_json_key(j, "waived");
		if (!w || kind == ASMGATE_SUBJECT_ERROR ||
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
	cmd_print_resource_json(asmgate_subject_get_resource(s), j);
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
	if (r->nbindings)
		rd_json_kuint(j, "missing", t->missing);
	rd_json_kuint(j, "waived", t->waived);
	rd_json_obj_end(j);
	cmd_verify_json_missing(j, r);
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
		    ASMGATE_FAIL_ON_AC(ASMGATE_AC_UNSIGNED)))) {
			asmgate_report_set_waiver(rep, w);
			(void)asmgate_report_add_ac(rep, name, o, NULL, NULL,
			    NULL, ac, NULL, NULL, &err);
			asmgate_report_set_waiver(rep, NULL);
		} else if (asmgate_subject_error(s))
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
		const asmgate_subject_resource *res =
		    asmgate_subject_get_resource(s);
		asmgate_decision x;

		/* A package that lies fails without a policy too, and no
		 * waiver lets it pass (subject_verdict). */
		memset(&x, 0, sizeof(x));
		if (res && res->denial) {
			x.rule = "application";
			x.rule_is_deny = 1;
			x.nreasons = 1;
			snprintf(x.reasons[0], sizeof(x.reasons[0]), "%s",
			    res->denial);
			asmgate_report_set_waiver(rep, NULL);
		}
		(void)asmgate_report_add_ac(rep, name, o, img, NULL,
		    asmgate_subject_signature(s), ac, x.rule ? "application" :
		    NULL, x.rule ? &x : NULL, &err);
		asmgate_report_set_waiver(rep, NULL);
		return;
	}
	if (asmgate_subject_get_resource(s) &&
	    asmgate_subject_get_resource(s)->denial)
		asmgate_report_set_waiver(rep, NULL); /* never waived */
	d = asmgate_subject_decisions(s, &nd);
	for (h = 0; h < nd && h < r->nhosts; h++) {
		asmgate_decision x = with_placement(s, d, h);
		(void)asmgate_report_add_ac(rep, name, o, img, NULL,
		    asmgate_subject_signature(s), ac,
		    asmgate_policy_host_name(r->policy, dec_host(r, s, h)), &x,
		    &err);
	}
	asmgate_report_set_waiver(rep, NULL);
}

/* One line of a missing identity: "DISPLAY for HOST (FILE:LINE, ROLE
 * by ELEMENT)". */
static void
missing_line(rd_buf *b, const asmgate_missing *m)
{
	const asmgate_bound *id = m->bound;

	rd_buf_printf(b, "%s for %s (%s:%lu, %s by %s)", id->display,
	    id->host ? id->host : "no host", id->file, id->line,
	    asmgate_role_name(id->role), id->element);
	if (m->near)
		rd_buf_printf(b, "; near match: %s", m->near);
}

void
cmd_verify_print_missing(const run *r, tally *t, FILE *out)
{
	size_t i, n = r->scan ? asmgate_scan_missing_count(r->scan) : 0;

	t->missing = (unsigned)n;
	for (i = 0; out && i < n; i++) {
		rd_buf b;

		rd_buf_init(&b, RD_MAX_REPORT_BYTES);
		missing_line(&b, asmgate_scan_missing(r->scan, i));
		fputs("missing: ", out);
		cmd_put_text(out, rd_buf_cstr(&b) ? (const char *)b.p : "?");
		fputs(r->require_bound ? " (--require-bound: fails the run)\n" :
		    "\n", out);
		rd_buf_free(&b);
	}
}

/* With --require-bound, each missing identity is a failed case. */
void
cmd_verify_report_missing(const run *r, asmgate_report *rep)
{
	size_t i, n = r->scan ? asmgate_scan_missing_count(r->scan) : 0;
	asmgate_error err;

	for (i = 0; r->require_bound && i < n; i++) {
		const asmgate_missing *m = asmgate_scan_missing(r->scan, i);
		asmgate_decision d;
		rd_buf b;

		memset(&d, 0, sizeof(d));
		rd_buf_init(&b, ASMGATE_REASON_MAX - 1);
		rd_buf_puts(&b, "bound but not found (--require-bound): ");
		missing_line(&b, m);
		if (!b.failed) {
			memcpy(d.reasons[0], b.p, b.len);
			d.reasons[0][b.len] = '\0';
			d.nreasons = 1;
		}
		rd_buf_free(&b);
		rd_buf_init(&b, RD_MAX_REPORT_BYTES);
		rd_buf_printf(&b, "missing:%s", m->bound->display);
		asmgate_error_clear(&err);
		if (rd_buf_cstr(&b))
			(void)asmgate_report_add_origin(rep,
			    (const char *)b.p, NULL, NULL, NULL, NULL,
			    m->bound->host ? m->bound->host : "-", &d, &err);
		rd_buf_free(&b);
	}
}

void
cmd_verify_json_missing(rd_json *j, const run *r)
{
	size_t i, n = r->scan ? asmgate_scan_missing_count(r->scan) : 0;

	if (!r->nbindings)
		return;
	rd_json_key(j, "missing");
	rd_json_arr(j);
	for (i = 0; i < n; i++) {
		const asmgate_missing *m = asmgate_scan_missing(r->scan, i);
		rd_buf b;

		rd_json_obj(j);
		rd_json_kstr(j, "name", m->bound->display);
		rd_json_kstr(j, "host", m->bound->host);
		rd_json_kstr(j, "role", asmgate_role_name(m->bound->role));
		rd_buf_init(&b, RD_MAX_REPORT_BYTES);
		rd_buf_printf(&b, "%s:%lu", m->bound->file, m->bound->line);
		rd_json_kstr(j, "binding", rd_buf_cstr(&b));
		rd_buf_free(&b);
		rd_json_kstr(j, "via", m->bound->element);
		rd_json_kstr(j, "near", m->near);
		rd_json_obj_end(j);
	}
	rd_json_arr_end(j);
}


asmgate_verdict
cmd_verify_count(const run *r, const asmgate_subject *s,
    const asmgate_waiver *w, tally *t)
{
	const asmgate_signature *sig = asmgate_subject_signature(s);
	const asmgate_decision *d;
	asmgate_verdict v;
	size_t h, nd;

	/* A PE file decided on its Authenticode signature: one that
	 * carries a signature, or any with --require-authenticode. */
	if (asmgate_subject_authenticode(s)) {
		const asmgate_authenticode *ac = asmgate_subject_authenticode(s);

		if (ac->state != ASMGATE_AC_UNSIGNED || (r->rules.fail_on &
		    ASMGATE_FAIL_ON_AC(ASMGATE_AC_UNSIGNED)))
			t->ac_checked++;
		/* a state this code does not know counts as invalid */
		t->ac_states[(unsigned)ac->state < ASMGATE_AC_STATE_COUNT ?
		    ac->state : ASMGATE_AC_INVALID]++;
	}
	switch (asmgate_subject_get_kind(s)) {
	case ASMGATE_SUBJECT_SKIPPED:
		t->skipped++;
		v = subject_verdict(r, s, w);
		if (v == ASMGATE_VERDICT_FAIL)
			t->failed++;
		else if (v == ASMGATE_VERDICT_WAIVED)
			t->waived++;
		if (asmgate_subject_error(s) &&
		    asmgate_subject_error(s)->code != ASMGATE_E_NOT_DOTNET &&
		    asmgate_subject_error(s)->code != ASMGATE_E_NO_ASSEMBLY) {
			t->not_checked++;
			/* --fail-on not-checked */
			if (r->rules.fail_on & ASMGATE_FAIL_ON_NOT_CHECKED) {
				t->failed++;
				t->failed_on++;
				return ASMGATE_VERDICT_FAIL;
			}
		}
		return v == ASMGATE_VERDICT_WAIVED ? v : ASMGATE_VERDICT_PASS;
	case ASMGATE_SUBJECT_ERROR:
		t->errors++;
		return ASMGATE_VERDICT_FAIL;
	case ASMGATE_SUBJECT_ASSEMBLY:
		break;
	}
	/* fail closed: an assembly without a result, or with a state
	 * this code does not know */
	if (!sig || (unsigned)sig->state > ASMGATE_SN_SIGNED) {
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
	if (r->policy && !r->nbindings && nd != r->nhosts) {
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
	if (r->nbindings)
		printf("; %u bound assembl%s missing%s", t->missing,
		    t->missing == 1 ? "y" : "ies", r->require_bound &&
		    t->missing ? " (fails the run)" : "");
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
	if (t->waived)
		printf("; %u waived", t->waived);
	putchar('\n');
}
