/*
 * consumer.c - a program that uses libasmgate as an outside program
 * does: the installed <asmgate.h> and what `pkg-config asmgate` says,
 * nothing else. tests/consumer/run.sh builds it against an installed
 * copy, shared and static, as C and (consumer.cpp) as C++.
 *
 * For each sample it opens the assembly, reads its identity (name,
 * version, culture, public key token), verifies the strong-name
 * signature and prints the state; each is checked against the values
 * samples/README.md records from Mono's monodis and sn. A file that is
 * not a PE must fail with the "not-pe" status.
 *
 * Written in the common subset of C11 and C++11.
 * usage: consumer SAMPLES-DIR
 */
#include <stdio.h>
#include <string.h>

#include <asmgate.h>

struct expect {
	const char *file;      /* under SAMPLES-DIR */
	const char *name;      /* Assembly row (monodis --assembly) */
	unsigned short major, minor, build, revision;
	const char *culture;
	const char *token;     /* public key token (sn -T) */
	const char *state;
};

static const struct expect samples[] = {
	{ "valid/contoso-orchestrations.dll", "Contoso.Orchestrations",
	  1, 2, 3, 4, "", "e0ba8f48cb722cea", "signed" },
	{ "valid/contoso-x64.dll", "Contoso.Orchestrations",
	  1, 2, 3, 4, "", "e0ba8f48cb722cea", "signed" },
	{ "valid/fabrikam-adapters.dll", "Fabrikam.Adapters",
	  2, 0, 0, 0, "", "92cdd74130f40b2c", "signed" },
	{ "valid/hello.exe", "Hello",
	  1, 0, 0, 0, "", "5b4d8b284476375e", "signed" },
	{ "valid/satellite-fr.dll", "Contoso.Orchestrations.resources",
	  1, 2, 3, 4, "fr-FR", "e0ba8f48cb722cea", "signed" },
	{ "valid/signed-2048.dll", "TestKey2048",
	  1, 0, 0, 0, "", "77906b6731e6e44e", "signed" },
	{ "valid/signed-4096.dll", "TestKey4096",
	  1, 0, 0, 0, "", "3ba7e1f7c519d82f", "signed" },
	{ "states/delay-signed.dll", "Contoso.Orchestrations",
	  1, 2, 3, 4, "", "e0ba8f48cb722cea", "delay-signed" },
	{ "states/invalid--tampered-signature.dll", "Contoso.Orchestrations",
	  1, 2, 3, 4, "", "e0ba8f48cb722cea", "invalid" }
};

/* Check one sample; returns the number of mismatches (or 1 on error). */
static int
check(const char *dir, const struct expect *e)
{
	char path[4096];
	char hex[17];
	asmgate_error err;
	asmgate_image *img = NULL;
	const asmgate_image_info *info;
	const asmgate_assembly_info *a;
	asmgate_signature sig;
	uint8_t token[8];
	int bad = 0;
	int i;

	asmgate_error_clear(&err);
	snprintf(path, sizeof path, "%s/%s", dir, e->file);
	if (asmgate_image_open(&img, path, &err) != ASMGATE_OK) {
		printf("%s: %s: %s\n", e->file, asmgate_status_name(err.code),
		    err.msg);
		return 1;
	}
	info = asmgate_image_get_info(img);
	a = &info->assembly;
	hex[0] = '\0';
	if (a->public_key_len > 0 && asmgate_key_token(a->public_key,
	    a->public_key_len, token, &err) == ASMGATE_OK) {
		for (i = 0; i < 8; i++)
			snprintf(hex + 2 * i, 3, "%02x", token[i]);
	}
	if (asmgate_verify_image(img, NULL, &sig, &err) != ASMGATE_OK) {
		printf("%s: verify: %s: %s\n", e->file,
		    asmgate_status_name(err.code), err.msg);
		asmgate_image_free(img);
		return 1;
	}
	printf("%s: %s %u.%u.%u.%u culture=%s token=%s: %s\n", e->file,
	    a->name, a->version.major, a->version.minor, a->version.build,
	    a->version.revision, a->culture[0] ? a->culture : "neutral", hex,
	    asmgate_sn_state_name(sig.state));
	if (strcmp(a->name, e->name) != 0 || strcmp(a->culture, e->culture)
	    != 0 || a->version.major != e->major || a->version.minor !=
	    e->minor || a->version.build != e->build || a->version.revision !=
	    e->revision) {
		printf("  identity differs: want %s %u.%u.%u.%u culture=%s\n",
		    e->name, e->major, e->minor, e->build, e->revision,
		    e->culture[0] ? e->culture : "neutral");
		bad++;
	}
	if (strcmp(hex, e->token) != 0) {
		printf("  token differs: want %s\n", e->token);
		bad++;
	}
	if (strcmp(asmgate_sn_state_name(sig.state), e->state) != 0) {
		printf("  state differs: want %s\n", e->state);
		bad++;
	}
	asmgate_image_free(img);
	return bad;
}

int
main(int argc, char **argv)
{
	char path[4096];
	asmgate_error err;
	asmgate_image *img = NULL;
	asmgate_status st;
	size_t i;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: consumer SAMPLES-DIR\n");
		return 2;
	}
	if (strcmp(ASMGATE_VERSION, "") == 0)
		bad++;
	for (i = 0; i < sizeof samples / sizeof samples[0]; i++)
		bad += check(argv[1], &samples[i]);

	/* A text file is not an assembly: an error, no image. */
	asmgate_error_clear(&err);
	snprintf(path, sizeof path, "%s/README.md", argv[1]);
	st = asmgate_image_open(&img, path, &err);
	printf("README.md: %s\n", asmgate_status_name(st));
	if (st != ASMGATE_E_NOT_PE || img != NULL ||
	    strcmp(asmgate_status_name(err.code), "not-pe") != 0) {
		printf("  want not-pe and no image\n");
		bad++;
	}
	asmgate_image_free(img);

	printf("consumer: %s\n", bad ? "FAILED" : "ok");
	return bad ? 1 : 0;
}
