/*
 * ctr_msi_tests.h - Windows Installer databases (.msi, .msm) as
 * containers, over samples/msi/ (made by samples/make-msi-samples.py
 * from the WiX sources in samples/msi/src/: the names and keys expected
 * below are the Directory, Component and File rows those sources
 * declare; the bytes expected are the payload files the generator put
 * in, the assemblies of samples/valid).
 */

/* A member expected in a database: install path, File key, payload. */
typedef struct tm_exp {
	const char *name;
	const char *key;
	const char *payload;       /* sample path of the bytes; NULL: text */
	const char *text;          /* ... or these bytes */
} tm_exp;

#define TM_ORDERS "valid/contoso-orchestrations.dll"
#define TM_FAB "valid/fabrikam-adapters.dll"

/* Open path (a sample) with the file's path, so files beside it count. */
static asmgate_container *
tm_open(const char *rel)
{
	asmgate_container *c = NULL;
	asmgate_error err;

	asmgate_error_clear(&err);
	if (asmgate_container_open(&c, th_path(rel), &err) != ASMGATE_OK)
		fail_msg("%s: %s", rel, err.msg);
	assert_int_equal(asmgate_container_get_format(c),
	    ASMGATE_CONTAINER_MSI);
	return c;
}

/* Every expected member, in order, with its key and bytes. */
static void
tm_expect(asmgate_container *c, const tm_exp *e, size_t n)
{
	size_t i;

	assert_int_equal(asmgate_container_count(c), n);
	for (i = 0; i < n; i++) {
		const asmgate_member_info *mi = asmgate_container_member(c, i);
		uint8_t *got = NULL, *want;
		size_t glen = 0, wlen;
		asmgate_error err;

		assert_non_null(mi);
		assert_string_equal(mi->name, e[i].name);
		assert_non_null(mi->key);
		assert_string_equal(mi->key, e[i].key);
		assert_null(mi->unsupported);
		asmgate_error_clear(&err);
		if (asmgate_container_read(c, i, RD_MAX_MEMBER_BYTES, &got,
		    &glen, &err) != ASMGATE_OK)
			fail_msg("%s: %s", e[i].name, err.msg);
		if (e[i].payload) {
			want = th_load(e[i].payload, &wlen);
		} else {
			wlen = strlen(e[i].text);
			want = malloc(wlen + 1);
			assert_non_null(want);
			memcpy(want, e[i].text, wlen);
		}
		assert_int_equal(glen, wlen);
		assert_int_equal(mi->size, wlen);
		assert_memory_equal(got, want, wlen);
		free(want);
		asmgate_free(got);
	}
}

static const tm_exp tm_app[] = {
	{ "ProgramFiles/Contoso/Contoso.Orders.dll", "OrdersDll", TM_ORDERS,
	  NULL },
	{ "ProgramFiles/Contoso/readme.txt", "Readme", NULL, "readme\n" },
	{ "ProgramFiles/Contoso/Adapters/Fabrikam.Adapters.dll", "FabDll",
	  TM_FAB, NULL },
};

/* An embedded cabinet ("#app.cab"): names by install path, File keys,
 * bytes through the cabinet, offsets inside the database file. */
static void
test_msi__embedded_cabinet(void **state)
{
	asmgate_container *c;
	size_t len, i;
	uint8_t *raw = th_load("msi/app.msi", &len);

	(void)state;
	c = tm_open("msi/app.msi");
	tm_expect(c, tm_app, 3);
	for (i = 0; i < 3; i++) {
		const asmgate_member_info *mi = asmgate_container_member(c, i);
		assert_true(mi->data_offset < len);
		assert_true(mi->header_offset < len);
	}
	asmgate_container_free(c);
	/* The same bytes without a path: an embedded cabinet needs none. */
	{
		asmgate_error err;
		asmgate_error_clear(&err);
		assert_int_equal(asmgate_container_open_memory(&c, raw, len,
		    &err), ASMGATE_OK);
		tm_expect(c, tm_app, 3);
		asmgate_container_free(c);
	}
	free(raw);
}

static const tm_exp tm_ext[] = {
	{ "ProgramFiles/Contoso/Contoso.Orders.dll", "OrdersDll", TM_ORDERS,
	  NULL },
	{ "ProgramFiles/Contoso/readme.txt", "Readme", NULL, "readme\n" },
	{ "ProgramFiles/Contoso/Adapters/Fabrikam.Adapters.dll", "FabDll",
	  TM_FAB, NULL },
};

/* An external cabinet beside the database is read; without it (or
 * without the database's path) each member says which cabinet. */
static void
test_msi__external_cabinet(void **state)
{
	asmgate_container *c;
	asmgate_error err;
	uint8_t *raw;
	size_t len, i;

	(void)state;
	c = tm_open("msi/external/ext.msi");
	tm_expect(c, tm_ext, 3);
	asmgate_container_free(c);

	c = tm_open("msi/missing-cab/ext.msi");
	assert_int_equal(asmgate_container_count(c), 3);
	for (i = 0; i < 3; i++) {
		const asmgate_member_info *mi = asmgate_container_member(c, i);
		assert_string_equal(mi->name, tm_ext[i].name);
		assert_non_null(mi->unsupported);
		assert_non_null(strstr(mi->unsupported, "'ext.cab'"));
		assert_non_null(strstr(mi->unsupported, "not beside"));
		asmgate_error_clear(&err);
		assert_int_not_equal(asmgate_container_peek(c, i,
		    (uint8_t[4]){ 0 }, 4, &len, &err), ASMGATE_OK);
	}
	asmgate_container_free(c);

	raw = th_load("msi/external/ext.msi", &len);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_container_open_memory(&c, raw, len, &err),
	    ASMGATE_OK);
	for (i = 0; i < 3; i++) {
		const asmgate_member_info *mi = asmgate_container_member(c, i);
		assert_non_null(mi->unsupported);
		assert_non_null(strstr(mi->unsupported, "not available"));
	}
	asmgate_container_free(c);
	free(raw);
}

/* Uncompressed media: the files of the source image beside it. */
static void
test_msi__uncompressed_source(void **state)
{
	asmgate_container *c;
	asmgate_error err;
	uint8_t *raw;
	size_t len;

	(void)state;
	c = tm_open("msi/uncompressed/unc.msi");
	tm_expect(c, tm_ext, 3);
	asmgate_container_free(c);
	raw = th_load("msi/uncompressed/unc.msi", &len);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_container_open_memory(&c, raw, len, &err),
	    ASMGATE_OK);
	assert_non_null(asmgate_container_member(c, 0)->unsupported);
	assert_non_null(strstr(asmgate_container_member(c, 0)->unsupported,
	    "uncompressed"));
	asmgate_container_free(c);
	free(raw);
}

/* MsiAssembly without File_Application: the global assembly cache. */
static void
test_msi__gac_component(void **state)
{
	static const tm_exp e[] = {
		{ "ProgramFiles/Contoso/Contoso.Orders.dll", "OrdersDll",
		  TM_ORDERS, NULL },
		{ "ProgramFiles/Contoso/readme.txt", "Readme", NULL,
		  "readme\n" },
		{ "GlobalAssemblyCache/Fabrikam.Adapters.dll", "FabDll",
		  TM_FAB, NULL },
	};
	asmgate_container *c;

	(void)state;
	c = tm_open("msi/gac.msi");
	tm_expect(c, e, 3);
	asmgate_container_free(c);
}

/* Two rows installing one path are told apart by their File keys. */
static void
test_msi__duplicate_paths(void **state)
{
	asmgate_container *c;
	size_t i, n, tagged = 0;

	(void)state;
	c = tm_open("msi/dup-path.msi");
	n = asmgate_container_count(c);
	assert_true(n >= 2);
	for (i = 0; i < n; i++) {
		const asmgate_member_info *mi = asmgate_container_member(c, i);
		const char *hash = strrchr(mi->name, '#');
		size_t j;

		assert_non_null(mi->key);
		if (hash) {
			assert_string_equal(hash + 1, mi->key);
			tagged++;
		}
		for (j = 0; j < i; j++)
			assert_string_not_equal(mi->name,
			    asmgate_container_member(c, j)->name);
	}
	assert_true(tagged >= 2);
	asmgate_container_free(c);
}

/* A merge module: no Media table, the cabinet MergeModule.CABinet,
 * the redirect folder "." adding nothing. */
static void
test_msi__merge_module(void **state)
{
	static const tm_exp e[] = {
		{ "Contoso/Contoso.Orders.dll",
		  "ModDll.12345678_1234_1234_1234_123456789020", TM_ORDERS,
		  NULL },
	};
	asmgate_container *c;

	(void)state;
	c = tm_open("msi/module.msm");
	tm_expect(c, e, 1);
	asmgate_container_free(c);
}

/* Each malformed database: one error, its status, a message naming
 * the defect and an offset inside the file. */
static void
test_msi__malformed(void **state)
{
	static const struct {
		const char *rel;
		asmgate_status code;
		const char *frag;
	} cases[] = {
		{ "msi/malformed/string-ref-out-of-range.msi",
		  ASMGATE_E_MALFORMED, "string" },
		{ "msi/malformed/table-row-size.msi", ASMGATE_E_MALFORMED,
		  "row" },
		{ "msi/malformed/directory-cycle.msi", ASMGATE_E_MALFORMED,
		  "cycle" },
		{ "msi/malformed/pool-past-end.msi", ASMGATE_E_MALFORMED,
		  "_StringData" },
		{ "msi/malformed/missing-cab-stream.msi",
		  ASMGATE_E_MALFORMED, "apq.cab" },
		{ "msi/malformed/cab-bad-checksum.msi", ASMGATE_E_MALFORMED,
		  "cabinet 'app.cab'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		asmgate_container *c = NULL;
		asmgate_error err;
		asmgate_status st;
		size_t len, k, n;
		uint8_t *raw = th_load(cases[i].rel, &len);

		asmgate_error_clear(&err);
		st = asmgate_container_open(&c, th_path(cases[i].rel), &err);
		if (st == ASMGATE_OK) {
			/* A defect inside a cabinet's data shows on read. */
			n = asmgate_container_count(c);
			for (k = 0; k < n && st == ASMGATE_OK; k++) {
				uint8_t *b = NULL;
				size_t bl;
				st = asmgate_container_read(c, k,
				    RD_MAX_MEMBER_BYTES, &b, &bl, &err);
				asmgate_free(b);
			}
			asmgate_container_free(c);
		}
		if (st != cases[i].code || !strstr(err.msg, cases[i].frag))
			fail_msg("%s: status %s, message '%s'", cases[i].rel,
			    asmgate_status_name(st), err.msg);
		assert_true(err.has_offset);
		assert_true(err.offset > 0 && err.offset < len);
		free(raw);
	}
}

/* A compound file that is not an installer database, and a database
 * cut short, are errors, not empty containers. */
static void
test_msi__not_a_database(void **state)
{
	asmgate_container *c = NULL;
	asmgate_error err;
	uint8_t *raw, *cut;
	size_t len;

	(void)state;
	raw = th_load("msi/app.msi", &len);
	assert_int_equal(asmgate_container_detect(raw, len),
	    ASMGATE_CONTAINER_MSI);
	cut = malloc(len / 2);
	assert_non_null(cut);
	memcpy(cut, raw, len / 2);
	asmgate_error_clear(&err);
	assert_int_not_equal(asmgate_container_open_memory(&c, cut, len / 2,
	    &err), ASMGATE_OK);
	assert_null(c);
	assert_true(err.msg[0] != '\0');
	free(cut);
	free(raw);
}
