/*
 * keys.c - asmgate keys (placeholder until keys/ lands).
 */
#include "cmd.h"

int
cmd_keys(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cmd_usage_error("keys", "not implemented yet");
}
