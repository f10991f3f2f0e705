/*
 * inspect.c - asmgate inspect [--format text|json] FILE...
 *
 * Reports what the reader found in each file: PE headers, CLI header,
 * metadata streams, the assembly identity and public key, references and
 * assembly attributes. Exit 0 when every file was read, 2 otherwise.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "rd/json.h"
#include "rd/limits.h"
#include "report.h"

static void
inspect_usage(FILE *out)
{
	fprintf(out,
	    "usage: asmgate inspect [--format text|json] FILE...\n"
	    "\n"
	    "Show the PE and CLI headers, the assembly identity, public key and\n"
	    "token, the strong-name signature slot, references and assembly\n"
	    "attributes of each FILE.\n"
	    "\n"
	    "  -f, --format FMT   text (default) or json: one JSON document\n"
	    "                     {\"asmgate\": VERSION, \"files\": [...]}\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 every file was read, 2 at least one could not be.\n");
}

int
cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum cmd_format fmt = CMD_FMT_TEXT;
	int c, i, failed = 0, written = 1;
	rd_buf out;
	rd_json j;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!cmd_parse_format("inspect", optarg,
				1u << CMD_FMT_TEXT | 1u << CMD_FMT_JSON, &fmt))
				return CMD_EXIT_ERROR;
			break;
		case 'h':
			inspect_usage(stdout);
			return CMD_EXIT_OK;
		default:
			return cmd_usage_error("inspect", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("inspect", "no FILE given");

	rd_buf_init(&out, RD_MAX_REPORT_BYTES);
	if (fmt == CMD_FMT_JSON) {
		cmd_json_begin(&j, &out, "files");
	}
	for (i = optind; i < argc; i++) {
		asmgate_image *img = NULL;
		asmgate_error err;
		asmgate_status rc;

		asmgate_error_clear(&err);
		rc = asmgate_image_open(&img, argv[i], &err);
		if (rc != ASMGATE_OK) {
			cmd_print_error(argv[i], &err);
			failed = 1;
		}
		if (fmt == CMD_FMT_JSON) {
			rd_json_obj(&j);
			cmd_report_file_json(&j, argv[i], img,
			    rc != ASMGATE_OK ? &err : NULL);
			rd_json_obj_end(&j);
			written &= cmd_flush(&out, stdout);
		} else if (img) {
			cmd_report_file_text(stdout, argv[i], img);
		}
		asmgate_image_free(img);
	}
	if (fmt == CMD_FMT_JSON) {
		rd_json_arr_end(&j);
		rd_json_obj_end(&j);
		written &= cmd_flush(&out, stdout);
	}
	rd_buf_free(&out);
	if (!written)
		fprintf(stderr, "asmgate inspect: cannot write the output\n");
	if (!written || fflush(stdout) != 0)
		return CMD_EXIT_ERROR;
	return failed ? CMD_EXIT_ERROR : CMD_EXIT_OK;
}
