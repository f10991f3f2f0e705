/*
 * inspect.c - asmgate inspect [--format text|json] [--files-from LIST
 * [--null]] [--exclude GLOB]... FILE...
 *
 * Reports what the reader found in each file: PE headers, CLI header,
 * metadata streams, the assembly identity and public key, references and
 * assembly attributes. Exit 0 when every file was read, 2 otherwise.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "rd/json.h"
#include "rd/limits.h"
#include "report.h"

static void
inspect_usage(FILE *out)
{
	fprintf(out,
	    "usage: asmgate inspect [--format text|json]\n"
	    "           [--files-from LIST [--null]] [--exclude GLOB]...\n"
	    "           [FILE...]\n"
	    "\n"
	    "Show the PE and CLI headers, the assembly identity, public key and\n"
	    "token, the strong-name signature slot, references and assembly\n"
	    "attributes of each FILE.\n"
	    "\n"
	    "  -f, --format FMT   text (default) or json: one JSON document\n"
	    "                     {\"asmgate\": VERSION, \"files\": [...]}\n"
	    "  -T, --files-from LIST  also the paths in LIST (- for the standard\n"
	    "                     input), one a line, after FILE...\n"
	    "      --null         LIST is NUL-separated\n"
	    "  -x, --exclude GLOB do not examine what a directory walk finds, or\n"
	    "                     a container member, whose relative path or\n"
	    "                     name matches GLOB (repeatable)\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 every file was read, 2 at least one could not be.\n");
}

/* The BizTalk application MSIs among the named paths: their
 * applications after the files (JSON: "applications": [...]). A bad adf
 * was reported with the files already. */
static void
inspect_apps(int argc, char **argv, char **listed, size_t nlisted,
    enum cmd_format fmt, rd_json *j, rd_buf *out)
{
	size_t i;
	int any = 0;

	for (i = (size_t)optind; i < (size_t)argc + nlisted; i++) {
		const char *path = i < (size_t)argc ? argv[i] :
		    listed[i - (size_t)argc];
		asmgate_app *app = NULL;
		asmgate_error err;

		asmgate_error_clear(&err);
		if (asmgate_app_open_package(&app, path, &err) != ASMGATE_OK ||
		    !app)
			continue;
		if (fmt == CMD_FMT_JSON) {
			if (!any) {
				rd_json_key(j, "applications");
				rd_json_arr(j);
			}
			cmd_app_json(j, path, app);
		} else {
			cmd_app_text(stdout, path, app);
		}
		any = 1;
		asmgate_app_free(app);
	}
	if (fmt == CMD_FMT_JSON && any)
		rd_json_arr_end(j);
	(void)out;
}

int
cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "files-from", required_argument, NULL, 'T' },
		{ "null", no_argument, NULL, '0' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum cmd_format fmt = CMD_FMT_TEXT;
	asmgate_scan_options so;
	asmgate_scan *scan = NULL;
	asmgate_subject *subj;
	asmgate_error err;
	const char *list_path = NULL;
	const char *excl[RD_MAX_EXCLUDE];
	char **listed = NULL;
	size_t nlisted = 0, nexcl = 0, i;
	int c, failed = 0, written = 1, seen_fmt = 0, nul = 0;
	rd_buf out, list;
	rd_json j;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:T:x:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!cmd_once("inspect", "--format", &seen_fmt) ||
			    !cmd_parse_format("inspect", optarg,
				1u << CMD_FMT_TEXT | 1u << CMD_FMT_JSON, &fmt))
				return CMD_EXIT_ERROR;
			break;
		case 'T':
			if (list_path)
				return cmd_usage_error("inspect", "--files-from "
				    "given twice");
			list_path = optarg;
			break;
		case '0':
			nul = 1;
			break;
		case 'x':
			if (nexcl >= RD_MAX_EXCLUDE)
				return cmd_usage_error("inspect", "at most %u "
				    "--exclude", RD_MAX_EXCLUDE);
			excl[nexcl++] = optarg;
			break;
		case 'h':
			inspect_usage(stdout);
			return CMD_EXIT_OK;
		default:
			return cmd_usage_error("inspect", "bad option");
		}
	}
	if (nul && !list_path)
		return cmd_usage_error("inspect", "--null needs --files-from");
	rd_buf_init(&list, RD_MAX_FILES_FROM_BYTES);
	if (list_path && !cmd_read_list("inspect", list_path, nul, &list,
	    &listed, &nlisted)) {
		rd_buf_free(&list);
		return CMD_EXIT_ERROR;
	}
	if (optind >= argc && nlisted == 0) {
		free(listed);
		rd_buf_free(&list);
		return cmd_usage_error("inspect", "no FILE given");
	}

	rd_buf_init(&out, RD_MAX_REPORT_BYTES);
	(void)asmgate_scan_options_init(&so, ASMGATE_SCAN_OPTIONS_VERSION);
	so.verify = 0;
	so.exclude = excl;
	so.nexclude = nexcl;
	asmgate_error_clear(&err);
	if (asmgate_scan_new(&scan, &so, &err) != ASMGATE_OK) {
		fputs("asmgate inspect: ", stderr);
		cmd_put_text(stderr, err.msg);
		fputc('\n', stderr);
		rd_buf_free(&out);
		free(listed);
		rd_buf_free(&list);
		return CMD_EXIT_ERROR;
	}
	/* The command line's paths, then the list's, alike. */
	for (i = (size_t)optind; i < (size_t)argc + nlisted; i++) {
		const char *path = i < (size_t)argc ? argv[i] :
		    listed[i - (size_t)argc];

		if (asmgate_scan_add_path(scan, path, &err) != ASMGATE_OK) {
			cmd_print_error(path, &err);
			failed = 1;
			goto done;
		}
	}
	if (fmt == CMD_FMT_JSON)
		cmd_json_begin(&j, &out, "files");
	for (;;) {
		const asmgate_error *e;
		asmgate_subject_kind kind;
		int is_error;

		if (asmgate_scan_next(scan, &subj, &err) != ASMGATE_OK) {
			fputs("asmgate inspect: ", stderr);
			cmd_put_text(stderr, err.msg);
			fputc('\n', stderr);
			failed = 1;
			break;
		}
		if (!subj)
			break;
		kind = asmgate_subject_get_kind(subj);
		e = asmgate_subject_error(subj);
		/* A file named on the command line that is not an assembly
		 * is an error here; found in a walk or a container, it is
		 * listed as skipped. */
		is_error = kind == ASMGATE_SUBJECT_ERROR ||
		    (kind == ASMGATE_SUBJECT_SKIPPED &&
		    asmgate_subject_is_named(subj));
		if (is_error) {
			cmd_print_error(asmgate_subject_name(subj), e);
			failed = 1;
		}
		if (fmt == CMD_FMT_JSON) {
			rd_json_obj(&j);
			cmd_report_file_json(&j, asmgate_subject_name(subj),
			    asmgate_subject_origin(subj),
			    asmgate_subject_image(subj), is_error ? e : NULL);
			if (kind == ASMGATE_SUBJECT_SKIPPED && !is_error)
				rd_json_kstr(&j, "skipped", e ? e->msg : "");
			rd_json_obj_end(&j);
			written &= cmd_flush(&out, stdout);
		} else if (kind == ASMGATE_SUBJECT_ASSEMBLY) {
			cmd_report_file_text(stdout, asmgate_subject_name(subj),
			    asmgate_subject_image(subj));
			cmd_report_origin_text(stdout,
			    asmgate_subject_origin(subj));
		} else if (!is_error) {
			cmd_put_text(stdout, asmgate_subject_name(subj));
			fputs(": skipped: ", stdout);
			cmd_put_text(stdout, e ? e->msg : "");
			fputc('\n', stdout);
		}
		asmgate_subject_free(subj);
	}
	if (fmt == CMD_FMT_JSON)
		rd_json_arr_end(&j);
	inspect_apps(argc, argv, listed, nlisted, fmt, &j, &out);
	if (fmt == CMD_FMT_JSON) {
		rd_json_obj_end(&j);
		written &= cmd_flush(&out, stdout);
	}
done:
	asmgate_scan_free(scan);
	rd_buf_free(&out);
	free(listed);
	rd_buf_free(&list);
	if (!written)
		fprintf(stderr, "asmgate inspect: cannot write the output\n");
	if (!written || fflush(stdout) != 0)
		return CMD_EXIT_ERROR;
	return failed ? CMD_EXIT_ERROR : CMD_EXIT_OK;
}
