/*
 * keymap.c - Mono's token remapping read from its machine.config
 * (verify --key-map-from): each
 *
 *   <configuration><strongNames><pubTokenMapping>
 *     <map Token="16 hex digits" PublicKey="hex public key blob"/>
 *
 * says that assemblies whose identity token is Token are verified with
 * PublicKey (strongname.md 6.4: Debian's Mono maps the ECMA, Microsoft,
 * MicrosoftShared, Silverlight and IBM tokens to the Mono key, whose
 * token is 0738eb9f132ed756). The file is read by the policy's hardened
 * loader (load.c: size and line caps, no DTD, no entities, depth and
 * attribute caps); everything else in machine.config is ignored, as is
 * <verificationSkipping> (skipping a check never makes a file signed).
 */
#include <stdlib.h>
#include <string.h>


#include "policy.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/hex.h"
#include "rd/limits.h"

struct asmgate_key_map {
	asmgate_key_mapping *maps;
	unsigned long *lines;
	size_t n;
};

/* An element child of n named name (no namespace), or NULL. */
static const policy_node *
child(const policy_node *n, const char *name, const policy_node *after)
{
	const policy_node *c = after ? after->next : n->children;

	for (; c; c = c->next)
		if (!c->ns && strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* One <map>: its token and key into m->maps[m->n]. */
static asmgate_status
add_map(asmgate_key_map *m, const policy_doc *pd, const policy_node *n,
    asmgate_error *err)
{
	const char *tok = policy_node_attr(n, "Token");
	const char *pk = policy_node_attr(n, "PublicKey");
	unsigned long line = policy_node_line(n);
	uint8_t *blob = NULL;
	size_t len = 0, bad, i, plen;
	asmgate_key *key = NULL;
	asmgate_status st = ASMGATE_OK;

	if (!tok || !pk) {
		st = rd_fail_line(err, ASMGATE_E_MALFORMED, line, "<map> "
		    "needs Token and PublicKey");
		goto out;
	}
	if (m->n >= RD_MAX_KEY_MAPS) {
		st = rd_fail_line(err, ASMGATE_E_LIMIT, line, "more than %u "
		    "token mappings", RD_MAX_KEY_MAPS);
		goto out;
	}
	if (strlen((const char *)tok) != 16 || !rd_hex_decode(
	    m->maps[m->n].token, 8, &len, (const char *)tok, 16, &bad) ||
	    len != 8) {
		st = rd_fail_line(err, ASMGATE_E_MALFORMED,
		    policy_attr_line(pd, n, "Token"), "Token wants 16 hex "
		    "digits");
		goto out;
	}
	for (i = 0; i < m->n; i++)
		if (memcmp(m->maps[i].token, m->maps[m->n].token, 8) == 0) {
			st = rd_fail_line(err, ASMGATE_E_MALFORMED, line,
			    "Token %s is mapped twice (line %lu)",
			    (const char *)tok, m->lines[i]);
			goto out;
		}
	plen = strlen((const char *)pk);
	if (plen == 0 || plen > 2 * RD_MAX_PUBLIC_KEY_BLOB || plen % 2) {
		st = rd_fail_line(err, ASMGATE_E_MALFORMED,
		    policy_attr_line(pd, n, "PublicKey"), "PublicKey wants "
		    "an even number of hex digits, at most %u",
		    2 * RD_MAX_PUBLIC_KEY_BLOB);
		goto out;
	}
	blob = malloc(plen / 2);
	if (!blob) {
		st = rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory");
		goto out;
	}
	if (!rd_hex_decode(blob, plen / 2, &len, (const char *)pk, plen,
	    &bad)) {
		st = rd_fail_line(err, ASMGATE_E_MALFORMED,
		    policy_attr_line(pd, n, "PublicKey"), "PublicKey: not a "
		    "hex digit at %zu", bad);
		goto out;
	}
	st = asmgate_key_from_blob(&key, blob, len, err);
	if (st != ASMGATE_OK) {
		if (err) {
			err->line = policy_attr_line(pd, n, "PublicKey");
			rd_err_prefix(err, "PublicKey");
		}
		goto out;
	}
	m->maps[m->n].key = key;
	m->lines[m->n] = line;
	m->n++;
out:
	free(blob);
	return st;
}

asmgate_status
asmgate_key_map_load(asmgate_key_map **out, const char *path,
    asmgate_error *err)
{
	asmgate_key_map *m = NULL;
	policy_doc pd;
	rd_file f;
	const policy_node *root, *sn, *ptm, *map;
	asmgate_status st;

	if (!out || !path)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_key_map_load: out and path are required");
	*out = NULL;
	memset(&f, 0, sizeof(f));
	memset(&pd, 0, sizeof(pd));
	st = rd_file_open(&f, path, RD_MAX_POLICY_BYTES, err);
	if (st != ASMGATE_OK)
		return st;
	m = calloc(1, sizeof(*m));
	if (m) {
		m->maps = calloc(RD_MAX_KEY_MAPS, sizeof(*m->maps));
		m->lines = calloc(RD_MAX_KEY_MAPS, sizeof(*m->lines));
	}
	if (!m || !m->maps || !m->lines) {
		st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto out;
	}
	st = policy_xml_parse(&pd, f.data, f.size, 0, err);
	if (st != ASMGATE_OK)
		goto out;
	root = pd.root;
	if (!root || root->ns ||
	    strcmp(root->name, "configuration") != 0) {
		st = rd_fail_line(err, ASMGATE_E_MALFORMED, root ?
		    policy_node_line(root) : 0, "not a .NET configuration "
		    "file: the root element is not <configuration>");
		goto out;
	}
	for (sn = child(root, "strongNames", NULL); sn;
	    sn = child(root, "strongNames", sn))
		for (ptm = child(sn, "pubTokenMapping", NULL); ptm;
		    ptm = child(sn, "pubTokenMapping", ptm))
			for (map = child(ptm, "map", NULL); map;
			    map = child(ptm, "map", map)) {
				st = add_map(m, &pd, map, err);
				if (st != ASMGATE_OK)
					goto out;
			}
	*out = m;
	m = NULL;
out:
	policy_doc_free(&pd);
	rd_file_close(&f);
	asmgate_key_map_free(m);
	return st;
}

size_t
asmgate_key_map_count(const asmgate_key_map *m)
{
	return m ? m->n : 0;
}

const asmgate_key_mapping *
asmgate_key_map_get(const asmgate_key_map *m, size_t i,
    unsigned long *line)
{
	if (!m || i >= m->n)
		return NULL;
	if (line)
		*line = m->lines[i];
	return &m->maps[i];
}

void
asmgate_key_map_free(asmgate_key_map *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; m->maps && i < m->n; i++)
		asmgate_key_free((asmgate_key *)(uintptr_t)m->maps[i].key);
	free(m->maps);
	free(m->lines);
	free(m);
}
