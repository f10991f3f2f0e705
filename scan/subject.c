/*
 * subject.c - a subject: one thing to decide, its origin (the file on
 * disk and the member chain inside containers) and what was found.
 */
#include <stdlib.h>
#include <string.h>

#include "scan.h"

/* Display names join the chain with '!' (as jar: URLs and 7-Zip do). */
#define SCAN_SEP '!'

asmgate_subject *
scan_subject_new(asmgate_subject_kind kind, const char *file,
    const char *const *members, const char *const *keys, size_t nmembers)
{
	asmgate_subject *s;
	size_t total, i, flen = strlen(file);
	char *p;

	/* The store holds the file, each member and the display name:
	 * twice each string, bounded by the caps on paths and names. */
	total = 2 * (flen + 1);
	for (i = 0; i < nmembers; i++) {
		total += 2 * (strlen(members[i]) + 1);
		if (keys && keys[i])
			total += strlen(keys[i]) + 1;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->store = malloc(total);
	s->members = nmembers ? calloc(nmembers, sizeof(*s->members)) : NULL;
	s->keys = nmembers ? calloc(nmembers, sizeof(*s->keys)) : NULL;
	if (!s->store || (nmembers && (!s->members || !s->keys))) {
		free(s->store);
		free(s->members);
		free(s->keys);
		free(s);
		return NULL;
	}
	s->kind = kind;
	p = s->store;
	memcpy(p, file, flen + 1);
	s->origin.file = p;
	p += flen + 1;
	for (i = 0; i < nmembers; i++) {
		size_t n = strlen(members[i]);
		memcpy(p, members[i], n + 1);
		s->members[i] = p;
		p += n + 1;
	}
	for (i = 0; i < nmembers; i++) {
		size_t n;

		if (!keys || !keys[i])
			continue;
		n = strlen(keys[i]);
		memcpy(p, keys[i], n + 1);
		s->keys[i] = p;
		p += n + 1;
	}
	s->origin.members = s->members;
	s->origin.keys = s->keys;
	s->origin.nmembers = nmembers;
	s->name = p;
	memcpy(p, file, flen);
	p += flen;
	for (i = 0; i < nmembers; i++) {
		size_t n = strlen(members[i]);
		*p++ = SCAN_SEP;
		memcpy(p, members[i], n);
		p += n;
	}
	*p = '\0';
	return s;
}

void
asmgate_subject_free(asmgate_subject *s)
{
	if (!s)
		return;
	if (s->user_free)
		s->user_free(s->user);
	asmgate_image_free(s->img);
	asmgate_authenticode_free(s->ac);
	free(s->decisions);
	free(s->placements);
	free(s->res);
	free(s->members);
	free(s->keys);
	free(s->store);
	free(s);
}

asmgate_subject_kind
asmgate_subject_get_kind(const asmgate_subject *s)
{
	return s->kind;
}

const char *
asmgate_subject_name(const asmgate_subject *s)
{
	return s->name;
}

const asmgate_origin *
asmgate_subject_origin(const asmgate_subject *s)
{
	return &s->origin;
}

int
asmgate_subject_is_named(const asmgate_subject *s)
{
	return s->named;
}

const asmgate_image *
asmgate_subject_image(const asmgate_subject *s)
{
	return s->img;
}

const asmgate_signature *
asmgate_subject_signature(const asmgate_subject *s)
{
	return s->has_sig ? &s->sig : NULL;
}

const asmgate_authenticode *
asmgate_subject_authenticode(const asmgate_subject *s)
{
	return s->ac;
}

const asmgate_error *
asmgate_subject_error(const asmgate_subject *s)
{
	return s->has_err ? &s->err : NULL;
}

const asmgate_decision *
asmgate_subject_decisions(const asmgate_subject *s, size_t *n)
{
	*n = s->decisions ? s->ndecisions : 0;
	return s->decisions;
}

const asmgate_placement *
asmgate_subject_placements(const asmgate_subject *s, size_t *n)
{
	*n = s->placements ? s->ndecisions : 0;
	return s->placements;
}

void
asmgate_subject_set_user(asmgate_subject *s, void *p,
    void (*free_fn)(void *))
{
	if (s->user_free)
		s->user_free(s->user);
	s->user = p;
	s->user_free = free_fn;
}

void *
asmgate_subject_user(const asmgate_subject *s)
{
	return s->user;
}
