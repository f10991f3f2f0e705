/*
 * json.h - a small streaming JSON writer (RFC 8259) into an rd_buf.
 *
 * Strings are escaped per RFC 8259: '"', '\\', \n and \t in their short
 * forms, other control characters (and DEL) as \u00XX, and bytes that
 * are not valid UTF-8 as \ufffd, so the output is valid JSON whatever
 * the input held. Pretty output indents by two spaces and writes
 * "key": value; both forms end with a newline once the outermost value
 * closes.
 *
 * Failures go to the buffer's sticky failed flag (rd/buf.h): its
 * ceiling, out of memory, or a caller's bug (nesting deeper than
 * RD_JSON_MAX_DEPTH, closing more than was opened). Check the buffer
 * once at the end, or whenever it is flushed.
 */
#ifndef RD_JSON_H
#define RD_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define RD_JSON_MAX_DEPTH 32

typedef struct rd_json {
	rd_buf *b;
	int depth;                          /* containers open */
	unsigned count[RD_JSON_MAX_DEPTH];  /* values written in each */
	int after_key;
	int pretty;
} rd_json;

void rd_json_init(rd_json *j, rd_buf *b, int pretty);
void rd_json_obj(rd_json *j);
void rd_json_obj_end(rd_json *j);
void rd_json_arr(rd_json *j);
void rd_json_arr_end(rd_json *j);
void rd_json_key(rd_json *j, const char *k);
/** A string, or null when s is NULL. */
void rd_json_str(rd_json *j, const char *s);
void rd_json_strn(rd_json *j, const char *s, size_t n);
void rd_json_uint(rd_json *j, uint64_t v);
void rd_json_int(rd_json *j, int64_t v);
void rd_json_bool(rd_json *j, int v);
void rd_json_null(rd_json *j);
/** Lowercase hex of n bytes as a string, or null when p is NULL. */
void rd_json_hex(rd_json *j, const uint8_t *p, size_t n);
/* key + value shorthands */
void rd_json_kstr(rd_json *j, const char *k, const char *s);
void rd_json_kuint(rd_json *j, const char *k, uint64_t v);
void rd_json_kbool(rd_json *j, const char *k, int v);
void rd_json_khex(rd_json *j, const char *k, const uint8_t *p, size_t n);
void rd_json_knull(rd_json *j, const char *k);

/*
 * Fragments: values written by one writer into a buffer of their own,
 * then spliced into a document another writer holds open.
 */
/** Write as if depth containers were open, the innermost holding
 *  `before` values already (call right after rd_json_init). */
void rd_json_fragment(rd_json *j, int depth, unsigned before);
/** Append n bytes written by a fragment writer at this depth, holding
 *  `values` values, into the innermost open container. */
void rd_json_splice(rd_json *j, const void *p, size_t n, unsigned values);
/** Append one value a fragment writer wrote with before = 0, adding the
 *  separator when the innermost container already holds values. */
void rd_json_splice_value(rd_json *j, const void *p, size_t n);

/** Append s (n bytes) to b as JSON string content, without quotes. */
void rd_json_escape(rd_buf *b, const char *s, size_t n);

#endif /* RD_JSON_H */
