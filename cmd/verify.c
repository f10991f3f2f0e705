/*
 * verify.c - asmgate verify: strong-name verification of assemblies and,
 * with --policy, the per-host decision.
 *
 * Files are processed by --jobs worker threads and reported in argument
 * order as they complete; a bounded window keeps memory flat on large
 * runs. Exit status: with a policy, 1 when any decision in an enforcing
 * host is a denial; without one, 1 when any assembly is not signed
 * (test-signed counts as signed when a test key was given); 2 when any
 * file could not be read or decided, or no assembly was found.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "rd/hex.h"
#include "rd/json.h"
#include "rd/limits.h"
#include "report.h"
#include "walk.h"

#define MAX_JOBS 64u
#define MAX_KEYS 256u   /* --test-key and --key-map, each */
/* Test keys: the command line's, then the policy's. */
#define MAX_TEST_KEYS (MAX_KEYS + RD_MAX_POLICY_KEYS)
/* Every host a policy may have, so none is ever left undecided. */
#define MAX_HOSTS RD_MAX_POLICY_HOSTS
/* Files processed ahead of the one being reported, and the results kept:
 * file i uses slot i % window. For text and JSON a worker renders the
 * file's output and frees the image at once, so a pending file holds
 * only its output and the window can be wide (a large file being hashed
 * does not stall the other workers); JUnit and SARIF keep the image
 * until the report takes it. */
#define WINDOW_RENDERED 4096u
#define WINDOW_IMAGES 64u

enum outcome { OUT_VERIFIED, OUT_SKIPPED, OUT_IGNORED, OUT_ERROR };

typedef struct result {
	enum outcome outcome;
	asmgate_image *img;
	asmgate_error err;
	asmgate_signature sig;
	asmgate_decision *decisions;  /* one per selected host */
	rd_buf out;                   /* rendered text or JSON */
} result;

typedef struct run {
	cmd_filelist files;
	result *res;       /* window slots: file i in res[i % window] */
	unsigned char *done; /* per slot, under mu: the file is processed */
	asmgate_verify_options vopts;
	const asmgate_key **test_keys;
	asmgate_policy *policy;
	size_t hosts[MAX_HOSTS];
	size_t nhosts;
	enum cmd_format fmt;
	size_t window;     /* slots in res; at most files.n */
	/* work distribution (--jobs > 1) */
	pthread_mutex_t mu;
	pthread_cond_t done_cv;   /* the printer waits for a file */
	pthread_cond_t window_cv; /* workers wait for room in the window */
	size_t next;       /* next file to take */
	size_t printed;    /* files already reported */
	size_t waiting;    /* file the printer waits for, or SIZE_MAX */
	unsigned blocked;  /* workers waiting for the window */
} run;

static void
verify_usage(FILE *out)
{
	fprintf(out,
	    "usage: asmgate verify [--format text|json|junit|sarif]\n"
	    "           [--test-key KEYFILE]... [--key-map TOKEN=KEYFILE]...\n"
	    "           [--policy FILE [--host NAME]...] [--jobs N] PATH...\n"
	    "\n"
	    "Verify the strong-name signature of every assembly in PATH (files,\n"
	    "or directories walked recursively) and report its state: signed,\n"
	    "test-signed, delay-signed, public-signed, unsigned or invalid.\n"
	    "PE files that are not .NET assemblies are listed as skipped.\n"
	    "\n"
	    "  -f, --format FMT     text (default), json, junit or sarif\n"
	    "  -t, --test-key K     a test key (any key format): assemblies whose\n"
	    "                       signature verifies with it are test-signed\n"
	    "  -m, --key-map T=K    verify assemblies whose public key token is T\n"
	    "                       with key file K (as Mono's pubTokenMapping)\n"
	    "  -p, --policy FILE    decide each assembly against a policy\n"
	    "  -H, --host NAME      a policy host to decide for (repeatable;\n"
	    "                       default: every host of the policy)\n"
	    "  -j, --jobs N         verify N files at a time (default 1)\n"
	    "  -h, --help           this help\n"
	    "\n"
	    "Exit status: 0 every assembly signed (with --policy: every decision\n"
	    "allowed or in an audit host), 1 at least one is not, 2 at least\n"
	    "one file could not be read or decided, or no assembly was found.\n");
}

static int
ends_with_ci(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* The result slot of file i. */
static result *
slot(const run *r, size_t i)
{
	return &r->res[i % r->window];
}

/* Inside a directory, files that are plainly not PE (configs, docs) are
 * ignored unless their name says assembly: no MZ/PE signature, empty, or
 * too short for an MS-DOS header (an error below its e_lfanew field at
 * 0x3c). A file that got past that far and then failed is reported. */
static int
ignorable(const cmd_file *f, asmgate_status rc, const asmgate_error *err)
{
	if (!f->from_dir || ends_with_ci(f->path, ".dll") ||
	    ends_with_ci(f->path, ".exe") ||
	    ends_with_ci(f->path, ".netmodule"))
		return 0;
	return rc == ASMGATE_E_NOT_PE || rc == ASMGATE_E_EMPTY ||
	    (rc == ASMGATE_E_TRUNCATED && err->has_offset &&
	    err->offset < 0x40);
}

/* Verify one file (worker side; never prints). */
static void
verify_one(run *r, size_t i)
{
	result *res = slot(r, i);
	const cmd_file *f = &r->files.v[i];
	asmgate_status rc;
	size_t h;

	asmgate_error_clear(&res->err);
	rc = asmgate_image_open(&res->img, f->path, &res->err);
	if (rc == ASMGATE_E_NOT_DOTNET || rc == ASMGATE_E_NO_ASSEMBLY) {
		res->outcome = OUT_SKIPPED;
		return;
	}
	if (rc != ASMGATE_OK) {
		res->outcome = ignorable(f, rc, &res->err) ? OUT_IGNORED :
		    OUT_ERROR;
		return;
	}
	rc = asmgate_verify_image(res->img, &r->vopts, &res->sig, &res->err);
	if (rc != ASMGATE_OK) {
		res->outcome = OUT_ERROR;
		return;
	}
	res->outcome = OUT_VERIFIED;
	if (!r->policy)
		return;
	res->decisions = calloc(r->nhosts, sizeof(*res->decisions));
	if (!res->decisions) {
		res->outcome = OUT_ERROR;
		res->err.code = ASMGATE_E_NOMEM;
		snprintf(res->err.msg, sizeof(res->err.msg), "out of memory");
		return;
	}
	for (h = 0; h < r->nhosts; h++) {
		rc = asmgate_policy_decide(r->policy, r->hosts[h], res->img,
		    &res->sig, &res->decisions[h], &res->err);
		if (rc != ASMGATE_OK) {
			res->outcome = OUT_ERROR;
			return;
		}
	}
}

static void process(run *r, size_t i);

/* A worker takes files in order, at most r->window ahead of the printer,
 * and wakes the printer only when it finished the file being waited
 * for: one wake-up per file at most, none while the printer is busy. */
static void *
worker(void *arg)
{
	run *r = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (r->next < r->files.n &&
		    r->next >= r->printed + r->window) {
			r->blocked++;
			pthread_cond_wait(&r->window_cv, &r->mu);
			r->blocked--;
		}
		if (r->next >= r->files.n) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		i = r->next++;
		pthread_mutex_unlock(&r->mu);
		process(r, i);
		pthread_mutex_lock(&r->mu);
		r->done[i % r->window] = 1;
		if (r->waiting == i)
			pthread_cond_signal(&r->done_cv);
		pthread_mutex_unlock(&r->mu);
	}
}

/* Counters for the summary and the exit status. */
typedef struct tally {
	unsigned states[ASMGATE_SN_SIGNED + 1];
	unsigned verified, skipped, errors, not_signed, denied, audit_denied;
	unsigned allowed;
} tally;

static int
accepted_state(const run *r, asmgate_sn_state st)
{
	return st == ASMGATE_SN_SIGNED ||
	    (st == ASMGATE_SN_TEST_SIGNED && r->vopts.ntest_keys > 0);
}

static void
print_text(run *r, size_t i, FILE *out)
{
	result *res = slot(r, i);
	const char *path = r->files.v[i].path;
	size_t h;
	unsigned k;

	if (res->outcome == OUT_SKIPPED) {
		cmd_put_text(out, path);
		fputs(": skipped: ", out);
		cmd_put_text(out, res->err.msg);
		fputc('\n', out);
		return;
	}
	if (res->outcome == OUT_ERROR)
		return; /* already on stderr */
	cmd_put_text(out, path);
	fprintf(out, ": %s", asmgate_sn_state_name(res->sig.state));
	for (k = 0; k < res->sig.nreasons; k++) {
		fputs(k == 0 ? ": " : "; ", out);
		cmd_put_text(out, res->sig.reasons[k]);
	}
	fputc('\n', out);
	for (h = 0; res->decisions && h < r->nhosts; h++) {
		const asmgate_decision *d = &res->decisions[h];
		/* The reasons name the deciding rule. */
		fputs("  ", out);
		cmd_put_text(out, asmgate_policy_host_name(r->policy,
		    r->hosts[h]));
		fprintf(out, ": %s%s", d->allowed ? "allowed" : "denied",
		    !d->allowed && d->audit ? " (audit)" : "");
		for (k = 0; k < d->nreasons; k++) {
			fputs(k == 0 ? ": " : "; ", out);
			cmd_put_text(out, d->reasons[k]);
		}
		fputc('\n', out);
	}
}

static void
print_json(run *r, size_t i, rd_json *j)
{
	result *res = slot(r, i);
	const asmgate_signature *s = &res->sig;
	size_t h;
	unsigned k;

	rd_json_obj(j);
	cmd_report_file_json(j, r->files.v[i].path, res->img,
	    res->outcome == OUT_ERROR ? &res->err : NULL);
	rd_json_key(j, "skipped");
	if (res->outcome == OUT_SKIPPED)
		rd_json_str(j, res->err.msg);
	else
		rd_json_null(j);
	rd_json_key(j, "signature");
	if (res->outcome != OUT_VERIFIED) {
		rd_json_null(j);
	} else {
		rd_json_obj(j);
		rd_json_kstr(j, "state", asmgate_sn_state_name(s->state));
		rd_json_key(j, "reasons");
		rd_json_arr(j);
		for (k = 0; k < s->nreasons; k++)
			rd_json_str(j, s->reasons[k]);
		rd_json_arr_end(j);
		if (s->key_bits)
			rd_json_kuint(j, "keyBits", s->key_bits);
		else
			rd_json_knull(j, "keyBits");
		rd_json_kstr(j, "hashAlgorithm", s->hash_name);
		rd_json_kbool(j, "flagSet", s->flag_set);
		rd_json_kstr(j, "verifiedWith",
		    asmgate_verified_with_name(s->verified_with));
		/* The key whose check passed (differs from the identity under
		 * enhanced strong naming, ECMA substitution, --key-map and
		 * test keys). */
		rd_json_khex(j, "signerToken", s->has_signer ?
		    s->signer_token : NULL, 8);
		rd_json_obj_end(j);
	}
	if (r->policy) {
		rd_json_key(j, "policy");
		rd_json_arr(j);
		for (h = 0; res->decisions && h < r->nhosts; h++) {
			const asmgate_decision *d = &res->decisions[h];
			rd_json_obj(j);
			rd_json_kstr(j, "host", asmgate_policy_host_name(r->policy,
			    r->hosts[h]));
			rd_json_kstr(j, "decision", d->allowed ? "allowed" :
			    "denied");
			rd_json_kbool(j, "audit", d->audit);
			rd_json_kstr(j, "rule", d->rule);
			rd_json_key(j, "reasons");
			rd_json_arr(j);
			for (k = 0; k < d->nreasons; k++)
				rd_json_str(j, d->reasons[k]);
			rd_json_arr_end(j);
			rd_json_obj_end(j);
		}
		rd_json_arr_end(j);
	}
	rd_json_obj_end(j);
}

/* Worker side: render the file's text or JSON and free its image, so a
 * pending file holds only its output (JUnit and SARIF keep the image). */
static void
render(run *r, size_t i)
{
	result *res = slot(r, i);
	char *p = NULL;
	size_t n = 0;
	FILE *f;
	rd_json j;

	if (res->outcome == OUT_IGNORED)
		return;
	if (r->fmt == CMD_FMT_TEXT) {
		f = open_memstream(&p, &n);
		if (!f) {
			res->out.failed = 1;
			return;
		}
		print_text(r, i, f);
		if (fclose(f) != 0 || !rd_buf_put(&res->out, p, n))
			res->out.failed = 1;
		free(p);
	} else if (r->fmt == CMD_FMT_JSON) {
		rd_json_init(&j, &res->out, 1);
		rd_json_fragment(&j, 2, 0); /* inside {"files": [ */
		print_json(r, i, &j);
	} else {
		return;
	}
	asmgate_image_free(res->img);
	res->img = NULL;
}

/* Verify and render file i into its slot, which the printer emptied
 * (i < printed + window) and which this thread alone uses until done. */
static void
process(run *r, size_t i)
{
	result *res = slot(r, i);

	memset(res, 0, sizeof(*res));
	rd_buf_init(&res->out, RD_MAX_REPORT_BYTES);
	verify_one(r, i);
	render(r, i);
}

/* One file into the JUnit/SARIF report: per host with a policy. */
static void
add_report(run *r, size_t i, asmgate_report *rep)
{
	result *res = slot(r, i);
	const char *path = r->files.v[i].path;
	asmgate_error err;
	size_t h;

	if (res->outcome == OUT_SKIPPED || res->outcome == OUT_IGNORED)
		return;
	asmgate_error_clear(&err);
	if (res->outcome == OUT_ERROR) {
		(void)asmgate_report_add(rep, path, res->img, &res->err, NULL,
		    NULL, NULL, &err);
		return;
	}
	if (!r->policy) {
		(void)asmgate_report_add(rep, path, res->img, NULL, &res->sig,
		    NULL, NULL, &err);
		return;
	}
	for (h = 0; res->decisions && h < r->nhosts; h++)
		(void)asmgate_report_add(rep, path, res->img, NULL, &res->sig,
		    asmgate_policy_host_name(r->policy, r->hosts[h]),
		    &res->decisions[h], &err);
}

static void
count(run *r, size_t i, tally *t)
{
	result *res = slot(r, i);
	size_t h;

	switch (res->outcome) {
	case OUT_IGNORED:
		return;
	case OUT_SKIPPED:
		t->skipped++;
		return;
	case OUT_ERROR:
		t->errors++;
		return;
	case OUT_VERIFIED:
		break;
	}
	t->verified++;
	t->states[res->sig.state]++;
	if (!accepted_state(r, res->sig.state))
		t->not_signed++;
	for (h = 0; res->decisions && h < r->nhosts; h++) {
		if (res->decisions[h].allowed)
			t->allowed++;
		else if (res->decisions[h].audit)
			t->audit_denied++;
		else
			t->denied++;
	}
}

static void
print_summary(const run *r, const tally *t)
{
	int st;
	int first = 1;

	printf("%u %s:", t->verified, t->verified == 1 ? "assembly" :
	    "assemblies");
	for (st = ASMGATE_SN_SIGNED; st >= 0; st--) {
		if (!t->states[st])
			continue;
		printf("%s %u %s", first ? "" : ",", t->states[st],
		    asmgate_sn_state_name((asmgate_sn_state)st));
		first = 0;
	}
	if (t->skipped)
		printf("%s %u skipped (not assemblies)", first ? "" : ";",
		    t->skipped);
	if (t->errors)
		printf("; %u unreadable", t->errors);
	if (r->policy)
		printf("; decisions: %u allowed, %u denied%s", t->allowed,
		    t->denied + t->audit_denied,
		    t->audit_denied ? " (some in audit hosts)" : "");
	putchar('\n');
}

static void
free_result(result *res)
{
	asmgate_image_free(res->img);
	free(res->decisions);
	rd_buf_free(&res->out);
	res->img = NULL;
	res->decisions = NULL;
}

static int
add_test_key(run *r, size_t *n, const char *path)
{
	asmgate_key *k = NULL;
	asmgate_error err;

	asmgate_error_clear(&err);
	if (*n >= MAX_KEYS) {
		fprintf(stderr, "asmgate verify: at most %u keys\n", MAX_KEYS);
		return 0;
	}
	if (asmgate_key_load_file(&k, path, &err) != ASMGATE_OK) {
		cmd_print_error(path, &err);
		return 0;
	}
	r->test_keys[(*n)++] = k;
	return 1;
}

static int
add_key_map(asmgate_key_mapping *map, size_t *n, const char *arg)
{
	const char *eq = strchr(arg, '=');
	asmgate_key *k = NULL;
	asmgate_error err;
	size_t len = 0, bad;

	if (*n >= MAX_KEYS) {
		fprintf(stderr, "asmgate verify: at most %u key maps\n",
		    MAX_KEYS);
		return 0;
	}
	if (!eq || eq - arg != 16 || !rd_hex_decode(map[*n].token, 8, &len,
	    arg, 16, &bad) || len != 8) {
		cmd_usage_error("verify", "--key-map wants TOKEN=KEYFILE with a "
		    "16-digit hex token, not '%s'", arg);
		return 0;
	}
	asmgate_error_clear(&err);
	if (asmgate_key_load_file(&k, eq + 1, &err) != ASMGATE_OK) {
		cmd_print_error(eq + 1, &err);
		return 0;
	}
	map[*n].key = k;
	(*n)++;
	return 1;
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "test-key", required_argument, NULL, 't' },
		{ "key-map", required_argument, NULL, 'm' },
		{ "policy", required_argument, NULL, 'p' },
		{ "host", required_argument, NULL, 'H' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum cmd_format fmt = CMD_FMT_TEXT;
	const char *policy_path = NULL;
	const char *host_names[MAX_HOSTS];
	size_t nhost_names = 0, ntest = 0, ncli = 0, nmap = 0, nall, i;
	asmgate_key_mapping *map = NULL;
	unsigned long jobs = 1;
	unsigned walk_errors = 0;
	pthread_t threads[MAX_JOBS];
	unsigned nthreads = 0;
	asmgate_error err;
	asmgate_report *report = NULL;
	tally t;
	run r;
	rd_buf out;
	rd_json j;
	int c, rc = CMD_EXIT_ERROR, written = 1;

	memset(&r, 0, sizeof(r));
	memset(&t, 0, sizeof(t));
	rd_buf_init(&out, RD_MAX_REPORT_BYTES);
	r.test_keys = calloc(MAX_TEST_KEYS, sizeof(*r.test_keys));
	map = calloc(MAX_KEYS, sizeof(*map));
	if (!r.test_keys || !map) {
		fprintf(stderr, "asmgate verify: out of memory\n");
		goto out;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:t:m:p:H:j:h", opts, NULL)) !=
	    -1) {
		switch (c) {
		case 'f':
			if (!cmd_parse_format("verify", optarg, 0xF, &fmt))
				goto out;
			break;
		case 't':
			if (!add_test_key(&r, &ntest, optarg))
				goto out;
			break;
		case 'm':
			if (!add_key_map(map, &nmap, optarg))
				goto out;
			break;
		case 'p':
			policy_path = optarg;
			break;
		case 'H':
			if (nhost_names >= MAX_HOSTS) {
				cmd_usage_error("verify", "at most %u --host",
				    MAX_HOSTS);
				goto out;
			}
			host_names[nhost_names++] = optarg;
			break;
		case 'j':
			if (!cmd_parse_ulong(optarg, 1, MAX_JOBS, &jobs)) {
				cmd_usage_error("verify", "--jobs wants 1..%u",
				    MAX_JOBS);
				goto out;
			}
			break;
		case 'h':
			verify_usage(stdout);
			rc = CMD_EXIT_OK;
			goto out;
		default:
			cmd_usage_error("verify", "bad option");
			goto out;
		}
	}
	ncli = ntest; /* keys from here on belong to the policy */
	if (optind >= argc) {
		cmd_usage_error("verify", "no PATH given");
		goto out;
	}
	if (nhost_names && !policy_path) {
		cmd_usage_error("verify", "--host needs --policy");
		goto out;
	}
	if (policy_path) {
		asmgate_error_clear(&err);
		if (asmgate_policy_load(&r.policy, policy_path, &err) !=
		    ASMGATE_OK) {
			cmd_print_policy_error(policy_path, &err);
			goto out;
		}
		for (i = 0; i < nhost_names; i++) {
			long h = asmgate_policy_find_host(r.policy, host_names[i]);
			if (h < 0) {
				cmd_print_path_error(policy_path,
				    "no host '%s' in the policy", host_names[i]);
				goto out;
			}
			r.hosts[r.nhosts++] = (size_t)h;
		}
		/* Without --host, every host: none may be left out. */
		nall = asmgate_policy_host_count(r.policy);
		if (!nhost_names && nall > MAX_HOSTS) {
			cmd_print_path_error(policy_path, "%zu hosts: at most "
			    "%u can be decided", nall, MAX_HOSTS);
			goto out;
		}
		for (i = 0; !nhost_names && i < nall; i++)
			r.hosts[r.nhosts++] = i;
		/* No host, no decision: nothing could deny a file. */
		if (r.nhosts == 0) {
			cmd_print_path_error(policy_path, "the policy has no "
			    "hosts: nothing decides");
			goto out;
		}
		/* The policy's test keys join the command line's: all of
		 * them, or a test-signed file could fail to be recognised. */
		nall = asmgate_policy_test_key_count(r.policy);
		if (nall > MAX_TEST_KEYS - ntest) {
			cmd_print_path_error(policy_path, "%zu test keys: at "
			    "most %zu can be used", nall, MAX_TEST_KEYS - ntest);
			goto out;
		}
		for (i = 0; i < nall; i++)
			r.test_keys[ntest++] = (asmgate_key *)(uintptr_t)
			    asmgate_policy_test_key(r.policy, i);
	}
	r.vopts.test_keys = (const asmgate_key *const *)r.test_keys;
	r.vopts.ntest_keys = ntest;
	r.vopts.key_map = map;
	r.vopts.nkey_map = nmap;

	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (!cmd_walk(&r.files, argv[i], &walk_errors))
			goto out;
	r.fmt = fmt;
	r.window = fmt == CMD_FMT_JUNIT || fmt == CMD_FMT_SARIF ?
	    WINDOW_IMAGES : WINDOW_RENDERED;
	if (r.window > r.files.n)
		r.window = r.files.n ? r.files.n : 1;
	r.res = calloc(r.window, sizeof(*r.res));
	r.done = calloc(r.window, sizeof(*r.done));
	if (!r.res || !r.done) {
		fprintf(stderr, "asmgate verify: out of memory\n");
		goto out;
	}
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.done_cv, NULL);
	pthread_cond_init(&r.window_cv, NULL);
	r.waiting = SIZE_MAX;
	/* One job runs inline; more run on worker threads while this
	 * thread reports (and runs inline if no thread would start). */
	for (nthreads = 0; jobs > 1 && nthreads < jobs; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, worker, &r) != 0)
			break;
	if (fmt == CMD_FMT_JSON) {
		cmd_json_begin(&j, &out, "files");
	} else if (fmt == CMD_FMT_JUNIT || fmt == CMD_FMT_SARIF) {
		asmgate_error_clear(&err);
		if (asmgate_report_new(&report, fmt == CMD_FMT_JUNIT ?
		    ASMGATE_REPORT_JUNIT : ASMGATE_REPORT_SARIF, r.policy,
		    &err) != ASMGATE_OK) {
			fputs("asmgate verify: ", stderr);
			cmd_put_text(stderr, err.msg);
			fputc('\n', stderr);
			goto out_threads;
		}
	}
	/* Report in order as results complete. */
	for (i = 0; i < r.files.n; i++) {
		result *res = slot(&r, i);

		if (nthreads == 0) {
			process(&r, i);
		} else {
			pthread_mutex_lock(&r.mu);
			while (!r.done[i % r.window]) {
				r.waiting = i;
				pthread_cond_wait(&r.done_cv, &r.mu);
			}
			r.waiting = SIZE_MAX;
			pthread_mutex_unlock(&r.mu);
		}
		if (res->outcome == OUT_ERROR)
			cmd_print_error(r.files.v[i].path, &res->err);
		count(&r, i, &t);
		if (res->outcome != OUT_IGNORED) {
			if (res->out.failed)
				written = 0;
			if (fmt == CMD_FMT_JSON) {
				rd_json_splice_value(&j, res->out.p, res->out.len);
				written &= cmd_flush(&out, stdout);
			} else if (fmt == CMD_FMT_TEXT) {
				if (res->out.len)
					fwrite(res->out.p, 1, res->out.len, stdout);
			} else if (report) {
				add_report(&r, i, report);
			}
		}
		free_result(res);
		if (nthreads > 0) {
			/* The slot is free for file i + window: wake one
			 * waiting worker. */
			pthread_mutex_lock(&r.mu);
			r.done[i % r.window] = 0;
			r.printed = i + 1;
			if (r.blocked)
				pthread_cond_signal(&r.window_cv);
			pthread_mutex_unlock(&r.mu);
		}
	}
	t.errors += walk_errors;
	if (fmt == CMD_FMT_JSON) {
		rd_json_arr_end(&j);
		rd_json_key(&j, "summary");
		rd_json_obj(&j);
		rd_json_kuint(&j, "assemblies", t.verified);
		for (c = ASMGATE_SN_INVALID; c <= ASMGATE_SN_SIGNED; c++)
			rd_json_kuint(&j, asmgate_sn_state_name(
			    (asmgate_sn_state)c), t.states[c]);
		rd_json_kuint(&j, "skipped", t.skipped);
		rd_json_kuint(&j, "unreadable", t.errors);
		if (r.policy) {
			rd_json_kuint(&j, "allowed", t.allowed);
			rd_json_kuint(&j, "denied", t.denied);
			rd_json_kuint(&j, "auditDenied", t.audit_denied);
		}
		rd_json_obj_end(&j);
		rd_json_obj_end(&j);
		written &= cmd_flush(&out, stdout);
	} else if (fmt == CMD_FMT_TEXT) {
		print_summary(&r, &t);
	} else if (report) {
		uint8_t *doc = NULL;
		size_t len = 0;

		asmgate_error_clear(&err);
		if (asmgate_report_finish(report, &doc, &len, &err) !=
		    ASMGATE_OK) {
			fputs("asmgate verify: ", stderr);
			cmd_put_text(stderr, err.msg);
			fputc('\n', stderr);
			t.errors++;
		} else {
			fwrite(doc, 1, len, stdout);
		}
		asmgate_free(doc);
	}
	if (!written) {
		fprintf(stderr, "asmgate verify: cannot write the output\n");
		t.errors++;
	}
	if (t.errors)
		rc = CMD_EXIT_ERROR;
	else if (t.verified == 0) {
		fprintf(stderr, "asmgate verify: no .NET assembly found\n");
		rc = CMD_EXIT_ERROR;
	} else if (r.policy)
		rc = t.denied ? CMD_EXIT_REJECT : CMD_EXIT_OK;
	else
		rc = t.not_signed ? CMD_EXIT_REJECT : CMD_EXIT_OK;
	if (fflush(stdout) != 0)
		rc = CMD_EXIT_ERROR;
out_threads:
	asmgate_report_free(report);
	pthread_mutex_lock(&r.mu);
	r.next = r.files.n; /* stop workers that have not started */
	pthread_cond_broadcast(&r.window_cv);
	pthread_mutex_unlock(&r.mu);
	while (nthreads > 0)
		pthread_join(threads[--nthreads], NULL);
	for (i = 0; r.res && i < r.window; i++)
		free_result(&r.res[i]);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.done_cv);
	pthread_cond_destroy(&r.window_cv);
out:
	rd_buf_free(&out);
	free(r.res);
	free(r.done);
	cmd_filelist_free(&r.files);
	/* Command-line test keys are ours; the policy's belong to it. */
	/* Keys past ncli were added by a loaded policy and belong to it. */
	if (!r.policy)
		ncli = ntest;
	for (i = 0; r.test_keys && i < ncli; i++)
		asmgate_key_free((asmgate_key *)(uintptr_t)r.test_keys[i]);
	for (i = 0; map && i < nmap; i++)
		asmgate_key_free((asmgate_key *)(uintptr_t)map[i].key);
	free(r.test_keys);
	free(map);
	asmgate_policy_free(r.policy);
	return rc;
}
