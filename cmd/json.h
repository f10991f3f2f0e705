/*
 * json.h - a small streaming JSON writer for the command's output.
 *
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 are
 * written as U+FFFD, so output is always valid JSON whatever a file's
 * metadata holds.
 */
#ifndef CMD_JSON_H
#define CMD_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CMD_JSON_MAX_DEPTH 32

typedef struct cmd_json {
	FILE *out;
	int depth;
	int count[CMD_JSON_MAX_DEPTH]; /* items written at each level */
	int after_key;
	int pretty;
} cmd_json;

void cmd_json_init(cmd_json *j, FILE *out, int pretty);
void cmd_json_obj(cmd_json *j);
void cmd_json_obj_end(cmd_json *j);
void cmd_json_arr(cmd_json *j);
void cmd_json_arr_end(cmd_json *j);
void cmd_json_key(cmd_json *j, const char *k);
void cmd_json_str(cmd_json *j, const char *s);
void cmd_json_strn(cmd_json *j, const char *s, size_t n);
void cmd_json_uint(cmd_json *j, uint64_t v);
void cmd_json_bool(cmd_json *j, int v);
void cmd_json_null(cmd_json *j);
/** Lowercase hex of n bytes as a string, or null when p is NULL. */
void cmd_json_hex(cmd_json *j, const uint8_t *p, size_t n);
/* key + value shorthands */
void cmd_json_kstr(cmd_json *j, const char *k, const char *s);
void cmd_json_kuint(cmd_json *j, const char *k, uint64_t v);
void cmd_json_kbool(cmd_json *j, const char *k, int v);
void cmd_json_khex(cmd_json *j, const char *k, const uint8_t *p, size_t n);
void cmd_json_knull(cmd_json *j, const char *k);

/** Write s to out as JSON string content (no quotes) or, for text
 *  output, with control characters and invalid UTF-8 made visible. */
void cmd_put_escaped(FILE *out, const char *s, size_t n, int json);

#endif /* CMD_JSON_H */
