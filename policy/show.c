/*
 * show.c - the resolved policy for a reviewer (asmgate policy show):
 * keys with their token, size and fingerprint, hosts with their mode and
 * rules in the order they are evaluated (deny rules, then allow rules,
 * then the default), and the lint warnings. Text or JSON.
 */
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "rd/err.h"
#include "rd/hex.h"
#include "rd/limits.h"

/* Largest "show" output: the policy is capped at 1 MiB; its description
 * stays within a few times that. */
#define SHOW_MAX_BYTES ((size_t)64 << 20)

static const char *
source_name(enum policy_key_source s)
{
	switch (s) {
	case POLICY_KEY_BLOB: return "publicKey";
	case POLICY_KEY_FILE: return "file";
	case POLICY_KEY_TOKEN: return "token";
	}
	return "?";
}

static void
show_text(rd_buf *b, const asmgate_policy *pol)
{
	char hex[65];
	size_t i, j;
	int pass;

	if (pol->path)
		rd_buf_printf(b, "policy: %s\n", pol->path);
	rd_buf_printf(b, "mode: %s\n", pol->audit ? "audit" : "enforce");

	rd_buf_printf(b, "\nkeys (%zu):\n", pol->nkeys);
	for (i = 0; i < pol->nkeys; i++) {
		const policy_key *k = &pol->keys[i];
		rd_buf_printf(b, "  %s (line %lu)\n", k->id, k->line);
		if (k->source == POLICY_KEY_FILE)
			rd_buf_printf(b, "    source       file %s\n", k->file);
		else if (k->source == POLICY_KEY_TOKEN)
			rd_buf_puts(b, "    source       token only (weak pin)\n");
		else
			rd_buf_puts(b, "    source       publicKey\n");
		rd_hex_encode(hex, k->token, 8);
		rd_buf_printf(b, "    token        %s\n", hex);
		if (k->source == POLICY_KEY_TOKEN)
			continue;
		if (k->is_ecma)
			rd_buf_puts(b, "    bits         (ECMA neutral key)\n");
		else
			rd_buf_printf(b, "    bits         %u\n", k->bits);
		if (k->hash_name)
			rd_buf_printf(b, "    hash         %s\n", k->hash_name);
		rd_hex_encode(hex, k->fingerprint, 32);
		rd_buf_printf(b, "    fingerprint  sha256:%s\n", hex);
		if (k->is_private)
			rd_buf_puts(b, "    private      yes (the file holds the "
			    "private key)\n");
		if (k->test_uses)
			rd_buf_puts(b, "    test key     yes\n");
	}

	rd_buf_printf(b, "\nhosts (%zu):\n", pol->nhosts);
	for (i = 0; i < pol->nhosts; i++) {
		const policy_host *h = &pol->hosts[i];
		unsigned n = 0;
		rd_buf_printf(b, "  %s: %s%s (line %lu)\n", h->name,
		    h->audit ? "audit" : "enforce",
		    h->mode_given ? "" : " (from the policy)", h->line);
		if (h->account || h->tracking)
			rd_buf_printf(b, "    %s%s%s%s\n", h->account ?
			    "account " : "", h->account ? h->account : "",
			    h->account && h->tracking ? "; " : "",
			    h->tracking ? "tracking host" : "");
		/* Evaluation order: deny rules, then allow rules. */
		for (pass = 0; pass < 2; pass++) {
			for (j = h->first_rule; j < h->first_rule + h->nrules;
			    j++) {
				const policy_rule *r = &pol->rules[j];
				if (r->deny != (pass == 0))
					continue;
				rd_buf_printf(b, "    %u. %s %s (line %lu)\n"
				    "         ", ++n, r->deny ? "deny" : "allow",
				    r->id, r->line);
				policy_rule_describe(b, pol, r);
				rd_buf_putc(b, '\n');
			}
		}
		rd_buf_printf(b, "    %u. otherwise deny (default)\n", ++n);
	}

	if (pol->nwarnings) {
		rd_buf_printf(b, "\nwarnings (%zu):\n", pol->nwarnings);
		for (i = 0; i < pol->nwarnings; i++)
			rd_buf_printf(b, "  line %lu: %s: %s\n",
			    pol->warnings[i].line, pol->warnings[i].code,
			    pol->warnings[i].msg);
		if (pol->warnings_dropped)
			rd_buf_printf(b, "  (%zu more not shown)\n",
			    pol->warnings_dropped);
	}
}

static void
json_key_ids(rd_json *j, const char *name, const asmgate_policy *pol,
    const size_t *keys, size_t n)
{
	size_t i;

	rd_json_key(j, name);
	if (!keys) {
		rd_json_null(j);
		return;
	}
	rd_json_arr(j);
	for (i = 0; i < n; i++)
		rd_json_str(j, pol->keys[keys[i]].id);
	rd_json_arr_end(j);
}

static void
json_rule(rd_json *j, rd_buf *tmp, const asmgate_policy *pol,
    const policy_rule *r)
{
	static const asmgate_sn_state order[] = { ASMGATE_SN_UNSIGNED,
		ASMGATE_SN_DELAY_SIGNED, ASMGATE_SN_PUBLIC_SIGNED,
		ASMGATE_SN_TEST_SIGNED, ASMGATE_SN_SIGNED, ASMGATE_SN_INVALID };
	static const char *const hashes[] = { "sha1", "sha256", "sha384",
		"sha512" };
	char v[32];
	size_t i;

	rd_json_obj(j);
	rd_json_kstr(j, "id", r->id);
	rd_json_kstr(j, "action", r->deny ? "deny" : "allow");
	rd_json_kuint(j, "line", r->line);
	json_key_ids(j, "keys", pol, r->keys, r->nkeys);
	rd_json_key(j, "states");
	rd_json_arr(j);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (r->states & POLICY_STATE_BIT(order[i]))
			rd_json_str(j, asmgate_sn_state_name(order[i]));
	rd_json_arr_end(j);
	rd_json_kbool(j, "statesDefault", !r->states_given);
	rd_json_kstr(j, "name", r->name);
	rd_json_key(j, "culture");
	if (r->cultures) {
		rd_json_arr(j);
		for (i = 0; i < r->ncultures; i++)
			rd_json_str(j, r->cultures[i][0] ?
			    r->cultures[i] : "neutral");
		rd_json_arr_end(j);
	} else {
		rd_json_null(j);
	}
	policy_version_str(v, sizeof(v), &r->min);
	rd_json_kstr(j, "minVersion", r->has_min ? v : NULL);
	policy_version_str(v, sizeof(v), &r->max);
	rd_json_kstr(j, "maxVersion", r->has_max ? v : NULL);
	rd_json_key(j, "minKeyBits");
	if (r->min_key_bits)
		rd_json_uint(j, r->min_key_bits);
	else
		rd_json_null(j);
	rd_json_key(j, "hashAlgorithms");
	if (r->hashes) {
		rd_json_arr(j);
		for (i = 0; i < 4; i++)
			if (r->hashes & 1u << i)
				rd_json_str(j, hashes[i]);
		rd_json_arr_end(j);
	} else {
		rd_json_null(j);
	}
	if (!r->deny) {
		json_key_ids(j, "testKeys", pol, r->test_keys, r->ntest_keys);
		rd_json_kstr(j, "checksum", r->checksum_required ?
		    "required" : NULL);
	}
	tmp->len = 0;
	policy_rule_describe(tmp, pol, r);
	rd_json_kstr(j, "summary", rd_buf_cstr(tmp));
	rd_json_obj_end(j);
}

static void
show_json(rd_buf *b, rd_buf *tmp, const asmgate_policy *pol)
{
	rd_json j;
	size_t i, k;
	int pass;

	rd_json_init(&j, b, 1);
	rd_json_obj(&j);
	rd_json_kstr(&j, "asmgate", ASMGATE_VERSION);
	rd_json_kstr(&j, "policy", pol->path);
	rd_json_kstr(&j, "mode", pol->audit ? "audit" : "enforce");
	rd_json_key(&j, "keys");
	rd_json_arr(&j);
	for (i = 0; i < pol->nkeys; i++) {
		const policy_key *key = &pol->keys[i];
		int full = key->source != POLICY_KEY_TOKEN;
		rd_json_obj(&j);
		rd_json_kstr(&j, "id", key->id);
		rd_json_kuint(&j, "line", key->line);
		rd_json_kstr(&j, "source", source_name(key->source));
		rd_json_kstr(&j, "file", key->file);
		rd_json_key(&j, "token");
		rd_json_hex(&j, key->token, 8);
		rd_json_key(&j, "bits");
		if (full && !key->is_ecma)
			rd_json_uint(&j, key->bits);
		else
			rd_json_null(&j);
		rd_json_kstr(&j, "hashAlgorithm", full ? key->hash_name :
		    NULL);
		rd_json_key(&j, "fingerprint");
		rd_json_hex(&j, full ? key->fingerprint : NULL, 32);
		rd_json_kbool(&j, "ecma", key->is_ecma);
		rd_json_kbool(&j, "private", key->is_private);
		rd_json_kbool(&j, "testKey", key->test_uses > 0);
		rd_json_kuint(&j, "uses", key->uses + key->test_uses);
		rd_json_obj_end(&j);
	}
	rd_json_arr_end(&j);
	rd_json_key(&j, "hosts");
	rd_json_arr(&j);
	for (i = 0; i < pol->nhosts; i++) {
		const policy_host *h = &pol->hosts[i];
		rd_json_obj(&j);
		rd_json_kstr(&j, "name", h->name);
		rd_json_kuint(&j, "line", h->line);
		rd_json_kstr(&j, "mode", h->audit ? "audit" : "enforce");
		if (h->account)
			rd_json_kstr(&j, "account", h->account);
		if (h->tracking)
			rd_json_kbool(&j, "tracking", 1);
		rd_json_kbool(&j, "modeInherited", !h->mode_given);
		rd_json_key(&j, "rules");
		rd_json_arr(&j);
		for (pass = 0; pass < 2; pass++)
			for (k = h->first_rule; k < h->first_rule + h->nrules;
			    k++)
				if (pol->rules[k].deny == (pass == 0))
					json_rule(&j, tmp, pol, &pol->rules[k]);
		rd_json_arr_end(&j);
		rd_json_kstr(&j, "default", "deny");
		rd_json_obj_end(&j);
	}
	rd_json_arr_end(&j);
	rd_json_key(&j, "warnings");
	rd_json_arr(&j);
	for (i = 0; i < pol->nwarnings; i++) {
		rd_json_obj(&j);
		rd_json_kuint(&j, "line", pol->warnings[i].line);
		rd_json_kstr(&j, "code", pol->warnings[i].code);
		rd_json_kstr(&j, "message", pol->warnings[i].msg);
		rd_json_obj_end(&j);
	}
	rd_json_arr_end(&j);
	rd_json_kuint(&j, "warningsNotShown", pol->warnings_dropped);
	rd_json_obj_end(&j);
}

asmgate_status
asmgate_policy_show(const asmgate_policy *pol, asmgate_report_format fmt,
    uint8_t **out, size_t *len, asmgate_error *err)
{
	rd_buf b, tmp;
	asmgate_status st;

	if (!out || !len)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_policy_show: no output");
	*out = NULL;
	*len = 0;
	if (!pol)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_policy_show: no policy");
	if (fmt != ASMGATE_REPORT_TEXT && fmt != ASMGATE_REPORT_JSON)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_policy_show: format must be text or json");
	rd_buf_init(&b, SHOW_MAX_BYTES);
	rd_buf_init(&tmp, 64 * 1024);
	if (fmt == ASMGATE_REPORT_TEXT)
		show_text(&b, pol);
	else
		show_json(&b, &tmp, pol);
	if (tmp.failed)
		b.failed = 1;
	rd_buf_free(&tmp);
	st = policy_buf_take(&b, out, len, "policy show", err);
	return st;
}
