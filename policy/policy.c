/*
 * policy.c - loading, freeing and reading a policy (the "Policy" section
 * of include/asmgate.h). The passes are described in policy.h.
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/limits.h"

static char *
dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static asmgate_status
load_common(asmgate_policy **out, const uint8_t *data, size_t len,
    const char *base_dir, const char *path, asmgate_error *err)
{
	asmgate_policy *pol;
	policy_doc pd;
	asmgate_status st;

	*out = NULL;
	pol = calloc(1, sizeof(*pol));
	if (!pol)
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory");
	if (path && !(pol->path = dup_n(path, strlen(path)))) {
		asmgate_policy_free(pol);
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory");
	}
	st = policy_xml_parse(&pd, data, len, POLICY_PARSE_SCHEMA, err);
	if (st == ASMGATE_OK) {
		st = policy_build(pol, &pd, err);
		/* The schema's first error after our own checks, which say
		 * more precisely what is wrong; before any key file is
		 * opened. */
		if (st == ASMGATE_OK)
			st = policy_doc_schema(&pd, err);
		policy_doc_free(&pd);
	}
	if (st == ASMGATE_OK)
		st = policy_resolve_keys(pol, base_dir, err);
	if (st == ASMGATE_OK)
		st = policy_lint(pol, err);
	if (st != ASMGATE_OK) {
		asmgate_policy_free(pol);
		return st;
	}
	*out = pol;
	return ASMGATE_OK;
}

asmgate_status
asmgate_policy_load(asmgate_policy **out, const char *path,
    asmgate_error *err)
{
	rd_file f;
	asmgate_status st;
	const char *slash;
	char *dir;

	if (!out || !path)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_policy_load: no path");
	*out = NULL;
	st = rd_file_open(&f, path, RD_MAX_POLICY_BYTES, err);
	if (st != ASMGATE_OK)
		return st;
	/* Key files resolve against the policy's directory. */
	slash = strrchr(path, '/');
	if (!slash)
		dir = dup_n(".", 1);
	else
		dir = dup_n(path, slash == path ? 1 : (size_t)(slash - path));
	if (!dir) {
		rd_file_close(&f);
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory");
	}
	st = load_common(out, f.data, f.size, dir, path, err);
	free(dir);
	rd_file_close(&f);
	return st;
}

asmgate_status
asmgate_policy_load_memory(asmgate_policy **out, const void *data,
    size_t len, const char *base_dir, asmgate_error *err)
{
	if (!out || (!data && len))
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_policy_load_memory: no data");
	return load_common(out, data, len, base_dir, NULL, err);
}

void
asmgate_policy_free(asmgate_policy *pol)
{
	size_t i, j;

	if (!pol)
		return;
	for (i = 0; pol->keys && i < pol->nkeys; i++) {
		policy_key *k = &pol->keys[i];
		free(k->id);
		free(k->file);
		free(k->resolved);
		free(k->pending);
		asmgate_key_free(k->key);
	}
	for (i = 0; pol->hosts && i < pol->nhosts; i++) {
		free(pol->hosts[i].name);
		free(pol->hosts[i].account);
	}
	for (i = 0; pol->rules && i < pol->nrules; i++) {
		policy_rule *r = &pol->rules[i];
		free(r->id);
		free(r->keys);
		free(r->key_set);
		free(r->name);
		for (j = 0; r->cultures && j < r->ncultures; j++)
			free(r->cultures[j]);
		free(r->cultures);
		free(r->test_keys);
		free(r->test_key_set);
		free(r->publishers);
	}
	for (i = 0; i < pol->npublishers; i++) {
		policy_publisher *p = &pol->publishers[i];
		free(p->id);
		free(p->subject);
		free(p->subject_canon);
		free(p->issuer);
		free(p->issuer_canon);
	}
	free(pol->publishers);
	free(pol->keys);
	free(pol->hosts);
	free(pol->rules);
	policy_lint_allow_free(pol);
	free(pol->test_keys);
	free(pol->warnings);
	free(pol->path);
	free(pol);
}

size_t
asmgate_policy_host_count(const asmgate_policy *pol)
{
	return pol ? pol->nhosts : 0;
}

const char *
asmgate_policy_host_name(const asmgate_policy *pol, size_t i)
{
	if (!pol || i >= pol->nhosts)
		return NULL;
	return pol->hosts[i].name;
}

int
asmgate_policy_host_audit(const asmgate_policy *pol, size_t i)
{
	if (!pol || i >= pol->nhosts)
		return 0;
	return pol->hosts[i].audit;
}

/* BizTalk host names are case-insensitive (they are unique in the
 * management database regardless of case), so is the lookup. */
long
asmgate_policy_find_host(const asmgate_policy *pol, const char *name)
{
	size_t i;

	if (!pol || !name)
		return -1;
	for (i = 0; i < pol->nhosts; i++)
		if (policy_ascii_casecmp(pol->hosts[i].name, name) == 0)
			return (long)i;
	return -1;
}

size_t
asmgate_policy_test_key_count(const asmgate_policy *pol)
{
	return pol ? pol->ntest_keys : 0;
}

const asmgate_key *
asmgate_policy_test_key(const asmgate_policy *pol, size_t i)
{
	if (!pol || i >= pol->ntest_keys)
		return NULL;
	return pol->test_keys[i];
}

const char *
asmgate_policy_host_account(const asmgate_policy *pol, size_t i)
{
	return pol && i < pol->nhosts ? pol->hosts[i].account : NULL;
}

int
asmgate_policy_host_tracking(const asmgate_policy *pol, size_t i)
{
	return pol && i < pol->nhosts ? pol->hosts[i].tracking : 0;
}
