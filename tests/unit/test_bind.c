/*
 * test_bind.c - unit tests of bind/ (BizTalk binding files) and of the
 * placement the scan makes from them (scan/place.c): the .NET display
 * name parser, every placement rule, the AssemblyRef closure, unbound
 * and missing identities, each lint finding, hostile and bad input.
 *
 * Oracles: the display-name grammar of System.Reflection.AssemblyName
 * (as documented for .NET: comma-separated, case-insensitive keys,
 * quoted and escaped values, Culture=neutral, PublicKeyToken=null);
 * the placement rules of "Assembly installation in the GAC" and the
 * binding file layout (BizTalk docs, summarised in
 * ../shared reference policy-and-peers.md 1.1); the references of the
 * sample drop as written in samples/bindings/src (the .cs files).
 */
#define _DEFAULT_SOURCE
#include "helpers.h"

#include "asmgate.h"
#include "bind/bind.h"
#include "rd/limits.h"

/* Display names ------------------------------------------------------- */

static void
test_bind__display_name_forms(void **state)
{
	bind_name n;
	asmgate_error e;
	static const uint8_t tok[8] = { 0xe0, 0xba, 0x8f, 0x48, 0xcb, 0x72,
	    0x2c, 0xea };

	(void)state;
	assert_int_equal(bind_parse_display_name("Contoso.A, Version=1.2.3.4, "
	    "Culture=neutral, PublicKeyToken=e0ba8f48cb722cea", &n, &e),
	    ASMGATE_OK);
	assert_string_equal(n.name, "Contoso.A");
	assert_true(n.has_version && n.version.major == 1 &&
	    n.version.minor == 2 && n.version.build == 3 &&
	    n.version.revision == 4);
	assert_true(n.has_culture);
	assert_string_equal(n.culture, "");
	assert_true(n.has_token && !n.token_null);
	assert_memory_equal(n.token, tok, 8);
	/* No spaces, keys in any case, uppercase hex, two-part version. */
	assert_int_equal(bind_parse_display_name("Contoso.A,version=1.2,"
	    "CULTURE=fr-FR,publickeytoken=E0BA8F48CB722CEA", &n, &e),
	    ASMGATE_OK);
	assert_true(n.version.major == 1 && n.version.minor == 2 &&
	    n.version.build == 0 && n.version.revision == 0);
	assert_string_equal(n.culture, "fr-FR");
	assert_memory_equal(n.token, tok, 8);
	/* null token; unknown and ignored keys. */
	assert_int_equal(bind_parse_display_name("A , PublicKeyToken = null , "
	    "ProcessorArchitecture=MSIL, Custom=null, Foo=bar", &n, &e),
	    ASMGATE_OK);
	assert_string_equal(n.name, "A");
	assert_true(n.has_token && n.token_null);
	assert_false(n.has_version);
	/* Quoted and escaped characters. */
	assert_int_equal(bind_parse_display_name("\"My, Asm\", Version=1.0.0.0",
	    &n, &e), ASMGATE_OK);
	assert_string_equal(n.name, "My, Asm");
	assert_int_equal(bind_parse_display_name("My\\,Asm\\=x, Culture='de'",
	    &n, &e), ASMGATE_OK);
	assert_string_equal(n.name, "My,Asm=x");
	assert_string_equal(n.culture, "de");
	/* The assembly part of a qualified type name, generics included. */
	assert_int_equal(bind_parse_qualified_name("Ns.T,Contoso.Maps, "
	    "Version=1.0.0.0, Culture=neutral, PublicKeyToken=null", &n, &e),
	    ASMGATE_OK);
	assert_string_equal(n.name, "Contoso.Maps");
	assert_int_equal(bind_parse_qualified_name("Ns.G`1[[System.String, "
	    "mscorlib, Version=4.0.0.0]], Contoso.G, Version=2.0.0.0", &n, &e),
	    ASMGATE_OK);
	assert_string_equal(n.name, "Contoso.G");
	assert_int_equal(n.version.major, 2);
	assert_int_equal(bind_parse_qualified_name("Ns.A\\,B, Asm", &n, &e),
	    ASMGATE_OK);
	assert_string_equal(n.name, "Asm");
}

static void
test_bind__display_name_errors(void **state)
{
	static const char *const bad[] = {
		"", " ", ", Version=1.0.0.0", "A, Version=1.0.0.0, Version=1.0.0.0",
		"A, version=1.0, VERSION=2.0", "A, Version=1", "A, Version=1.2.3.4.5",
		"A, Version=65536.0", "A, Version=1.x", "A, Version=1..2",
		"A, Version=", "A, PublicKeyToken=e0ba8f48cb722ce",
		"A, PublicKeyToken=e0ba8f48cb722cez", "A, Culture",
		"\"A, Version=1.0", "A\\q", "A=B", "A, =1", "\"A\" x",
		"A, Culture=neutral, culture=fr", "A, Version=1.0=2",
	};
	bind_name n;
	asmgate_error e;
	size_t i;
	char longname[RD_MAX_DISPLAY_NAME + 8];

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		asmgate_error_clear(&e);
		if (bind_parse_display_name(bad[i], &n, &e) == ASMGATE_OK)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(e.msg[0] != '\0');
	}
	assert_int_not_equal(bind_parse_qualified_name("NoAssembly", &n, &e),
	    ASMGATE_OK);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(bind_parse_display_name(longname, &n, &e),
	    ASMGATE_E_LIMIT);
}

/* Loading and placement ---------------------------------------------- */

#define TOK "e0ba8f48cb722cea"
#define ID(n) n ", Version=1.0.0.0, Culture=neutral, PublicKeyToken=" TOK
#define QN(t, n) t ", " ID(n)

static asmgate_bindings *
load_str(const char *xml, asmgate_status want, unsigned long line,
    const char *msg)
{
	asmgate_bindings *b = NULL;
	asmgate_error e;
	asmgate_status st;

	asmgate_error_clear(&e);
	st = asmgate_bindings_load_memory(&b, xml, strlen(xml), "t.xml", &e);
	if (st != want)
		fail_msg("status %d (%s), want %d", st, e.msg, want);
	if (want != ASMGATE_OK) {
		assert_null(b);
		if (line)
			assert_int_equal(e.line, line);
		if (msg && !strstr(e.msg, msg))
			fail_msg("'%s' lacks '%s'", e.msg, msg);
	}
	return b;
}

/* The identity named n placed in host h (NULL: nowhere) with role r:
 * its line, or 0 when there is none. */
static unsigned long
placed(const asmgate_bindings *b, const char *n, const char *h,
    asmgate_role r)
{
	size_t i;

	for (i = 0; i < asmgate_bindings_count(b); i++) {
		const asmgate_bound *x = asmgate_bindings_get(b, i);
		if (strcmp(x->name, n) == 0 && x->role == r &&
		    ((!h && !x->host) || (h && x->host &&
		    strcmp(h, x->host) == 0)))
			return x->line;
	}
	return 0;
}

static void
test_bind__placement_rules(void **state)
{
	const char *xml =
	    "<BindingInfo>\n"                                            /* 1 */
	    "<ModuleRefCollection>\n"
	    "<ModuleRef Name='[Application:App]' FullName='[Application:App], "
	    "Version=, Culture=, PublicKeyToken='>\n"
	    "<TrackedSchemas><Schema FullName='S' AssemblyQualifiedName='"
	    QN("S.A", "App.Schemas") "'/></TrackedSchemas></ModuleRef>\n"
	    "<ModuleRef FullName='" ID("Orch") "'><Services>\n"        /* 5 */
	    "<Service Name='O1' State='Started'><Host Name='OrchHost' "
	    "Type='1' Trusted='false'/></Service>\n"
	    "<Service Name='O2' State='Unenlisted'/>\n"
	    "</Services><TrackedSchemas><Schema FullName='T' "
	    "AssemblyQualifiedName='" QN("S.B", "Orch.Schemas") "'/>"
	    "</TrackedSchemas></ModuleRef>\n"
	    "<ModuleRef Name='Split' Version='2.0.0.0' Culture='neutral' "
	    "PublicKeyToken='" TOK "'/>\n"
	    "</ModuleRefCollection>\n"                                  /* 10 */
	    "<SendPortCollection>\n"
	    "<SendPort Name='SP' IsStatic='true' IsTwoWay='true'>\n"
	    "<TransmitPipeline FullyQualifiedName='" QN("P.S", "SendPipe") "'/>\n"
	    "<PrimaryTransport><SendHandler Name='SendA' HostTrusted='false'/>"
	    "</PrimaryTransport>\n"
	    "<SecondaryTransport><SendHandler Name='SendB'/>"
	    "</SecondaryTransport>\n"
	    "<ReceivePipeline FullyQualifiedName='" QN("P.R", "RespPipe") "'/>\n"
	    "<Transforms><Transform AssemblyQualifiedName='" QN("M.A", "SendMaps")
	    "'/></Transforms>\n"
	    "</SendPort>\n"
	    "<SendPort Name='Dyn' IsStatic='false'>\n"
	    "<TransmitPipeline FullyQualifiedName='" QN("P.D", "DynPipe") "'/>\n"
	    "<PrimaryTransport/></SendPort>\n"
	    "</SendPortCollection>\n"
	    "<ReceivePortCollection><ReceivePort Name='RP' IsTwoWay='true'>\n"
	    "<ReceiveLocations>\n"
	    "<ReceiveLocation Name='RL1'>\n"
	    "<ReceivePipeline FullyQualifiedName='" QN("P.R", "RecvPipe") "'/>\n"
	    "<SendPipeline FullyQualifiedName='" QN("P.S", "ReplyPipe") "'/>\n"
	    "<ReceiveHandler Name='RecvHost' HostTrusted='false'/>\n"
	    "</ReceiveLocation>\n"
	    "</ReceiveLocations>\n"                                     /* 30 */
	    "<Transforms><Transform AssemblyQualifiedName='" QN("M.B", "InMaps")
	    "'/></Transforms>\n"
	    "</ReceivePort></ReceivePortCollection>\n"
	    "</BindingInfo>\n";
	asmgate_bindings *b = load_str(xml, ASMGATE_OK, 0, NULL);
	size_t i;

	(void)state;
	/* The pseudo-ModuleRef is not an assembly; its schema is one. */
	for (i = 0; i < asmgate_bindings_count(b); i++)
		assert_null(strstr(asmgate_bindings_get(b, i)->name, "["));
	assert_int_equal(placed(b, "App.Schemas", NULL, ASMGATE_ROLE_SCHEMA), 4);
	/* Orchestration: Service/Host; unenlisted without a host: nowhere. */
	assert_int_equal(placed(b, "Orch", "OrchHost",
	    ASMGATE_ROLE_ORCHESTRATION), 6);
	assert_int_equal(placed(b, "Orch", NULL, ASMGATE_ROLE_ORCHESTRATION), 7);
	assert_int_equal(placed(b, "Orch.Schemas", "OrchHost",
	    ASMGATE_ROLE_SCHEMA), 8);
	/* Split attributes. */
	assert_int_equal(placed(b, "Split", NULL, ASMGATE_ROLE_MODULE), 9);
	/* Send port: primary and secondary transport hosts, two-way
	 * response pipeline and maps in both. */
	assert_int_equal(placed(b, "SendPipe", "SendA",
	    ASMGATE_ROLE_SEND_PIPELINE), 13);
	assert_int_equal(placed(b, "SendPipe", "SendB",
	    ASMGATE_ROLE_SEND_PIPELINE), 13);
	assert_int_equal(placed(b, "RespPipe", "SendB",
	    ASMGATE_ROLE_RECEIVE_PIPELINE), 16);
	assert_int_equal(placed(b, "SendMaps", "SendA", ASMGATE_ROLE_MAP), 17);
	assert_int_equal(placed(b, "SendMaps", "SendB", ASMGATE_ROLE_MAP), 17);
	/* Dynamic: placed nowhere. */
	assert_int_equal(placed(b, "DynPipe", NULL, ASMGATE_ROLE_SEND_PIPELINE),
	    20);
	/* Receive location: its handler's host, two-way reply pipeline and
	 * the port's maps too. */
	assert_int_equal(placed(b, "RecvPipe", "RecvHost",
	    ASMGATE_ROLE_RECEIVE_PIPELINE), 26);
	assert_int_equal(placed(b, "ReplyPipe", "RecvHost",
	    ASMGATE_ROLE_SEND_PIPELINE), 27);
	assert_int_equal(placed(b, "InMaps", "RecvHost", ASMGATE_ROLE_MAP), 31);
	/* Nothing placed where it should not be. */
	assert_int_equal(placed(b, "RecvPipe", "SendA",
	    ASMGATE_ROLE_RECEIVE_PIPELINE), 0);
	assert_int_equal(placed(b, "Orch", "RecvHost",
	    ASMGATE_ROLE_ORCHESTRATION), 0);
	asmgate_bindings_free(b);
}

static void
test_bind__placeholders_and_names(void **state)
{
	(void)state;
	load_str("<BindingInfo><SendPortCollection>\n<SendPort>\n"
	    "<PrimaryTransport><SendHandler\n Name='${HOST}'/>"
	    "</PrimaryTransport></SendPort></SendPortCollection></BindingInfo>",
	    ASMGATE_E_MALFORMED, 4, "placeholder");
	load_str("<BindingInfo><ModuleRefCollection><ModuleRef FullName='A'>"
	    "<Services><Service Name='S'>\n<Host Name='x$(Env)'/></Service>"
	    "</Services></ModuleRef></ModuleRefCollection></BindingInfo>",
	    ASMGATE_E_MALFORMED, 2, "placeholder");
	load_str("<BindingInfo>\n<ModuleRefCollection>\n<ModuleRef FullName="
	    "'A, Version=1.0.0.0.0'/></ModuleRefCollection></BindingInfo>",
	    ASMGATE_E_MALFORMED, 3, "bad Version");
	load_str("<BindingInfo>\n<ReceivePortCollection><ReceivePort>"
	    "<ReceiveLocations><ReceiveLocation>\n<ReceivePipeline "
	    "FullyQualifiedName='T, A, Culture=x, Culture=y'/>"
	    "</ReceiveLocation></ReceiveLocations></ReceivePort>"
	    "</ReceivePortCollection></BindingInfo>",
	    ASMGATE_E_MALFORMED, 3, "given twice");
	load_str("<BindingInfo><ModuleRefCollection><ModuleRef Version='1.0'/>"
	    "</ModuleRefCollection></BindingInfo>", ASMGATE_E_MALFORMED, 1,
	    "without FullName or Name");
	load_str("<Bindings/>", ASMGATE_E_MALFORMED, 1, "not a binding file");
}

/* Hostile and bad input ------------------------------------------------ */

static void
test_bind__bad_input(void **state)
{
	asmgate_bindings *b = NULL;
	asmgate_error e;
	uint8_t *big;
	static const uint8_t odd[] = { 0xFF, 0xFE, '<', 0, 'B' };
	static const uint8_t lone_low[] = { 0xFF, 0xFE, '<', 0, 0x00, 0xDC };

	(void)state;
	load_str("not xml", ASMGATE_E_MALFORMED, 1, "not well-formed");
	load_str("", ASMGATE_E_MALFORMED, 0, "empty");
	load_str("<?xml version='1.0'?>\n<!DOCTYPE BindingInfo [<!ENTITY a "
	    "'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]>\n<BindingInfo>&b;"
	    "</BindingInfo>", ASMGATE_E_MALFORMED, 2, "DOCTYPE");
	load_str("<BindingInfo>\n<Description>&xxe;</Description>"
	    "</BindingInfo>", ASMGATE_E_MALFORMED, 2, "entity");
	load_str("<BindingInfo>\n\xe9</BindingInfo>", ASMGATE_E_MALFORMED, 2,
	    "not UTF-8");
	load_str("<BindingInfo><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
	    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a></a></a></a>"
	    "</a></a></a></a></a></a></a></a></a></a></a></a></a></a></a></a>"
	    "</a></a></a></a></a></a></a></a></a></a></a></a></a></a>"
	    "</BindingInfo>", ASMGATE_E_LIMIT, 1, "nested deeper");
	asmgate_error_clear(&e);
	assert_int_equal(asmgate_bindings_load_memory(&b, odd, sizeof(odd),
	    NULL, &e), ASMGATE_E_MALFORMED);
	assert_non_null(strstr(e.msg, "odd number"));
	assert_int_equal(asmgate_bindings_load_memory(&b, lone_low,
	    sizeof(lone_low), NULL, &e), ASMGATE_E_MALFORMED);
	assert_non_null(strstr(e.msg, "surrogate"));
	/* Oversize: refused before parsing. */
	big = calloc(1, RD_MAX_BINDING_BYTES + 1);
	assert_non_null(big);
	memset(big, ' ', RD_MAX_BINDING_BYTES + 1);
	assert_int_equal(asmgate_bindings_load_memory(&b, big,
	    RD_MAX_BINDING_BYTES + 1, NULL, &e), ASMGATE_E_LIMIT);
	free(big);
	/* A display name's "\n" escape decodes to a newline; the message
	 * quoting it stays one line. */
	{
		asmgate_bindings *b2 = NULL;
		asmgate_error e2;
		static const char xml[] = "<BindingInfo><ModuleRefCollection>"
		    "<ModuleRef Name='A' FullName='A, Version=1.2\\nx, "
		    "Culture=neutral, PublicKeyToken=e0ba8f48cb722cea'/>"
		    "</ModuleRefCollection></BindingInfo>";
		asmgate_error_clear(&e2);
		assert_int_equal(asmgate_bindings_load_memory(&b2, xml,
		    strlen(xml), "t.xml", &e2), ASMGATE_E_MALFORMED);
		assert_non_null(strstr(e2.msg, "bad Version '1.2?x'"));
		assert_null(strchr(e2.msg, '\n'));
	}
	/* Too many attributes on one tag: refused before libxml2. */
	{
		char xml[4096];
		size_t o = 0, i;
		o += (size_t)snprintf(xml + o, sizeof(xml) - o, "<BindingInfo");
		for (i = 0; i < RD_MAX_XML_ATTRIBUTES + 1; i++)
			o += (size_t)snprintf(xml + o, sizeof(xml) - o,
			    " a%zu='1'", i);
		snprintf(xml + o, sizeof(xml) - o, "/>");
		load_str(xml, ASMGATE_E_LIMIT, 1, "attributes");
	}
}

/* Lines past libxml2's 16-bit counter come from the tag's offset. */
static void
test_bind__long_file_lines(void **state)
{
	size_t n = 70000, i, o = 0;
	char *xml = malloc(n + 256);

	(void)state;
	assert_non_null(xml);
	o += (size_t)snprintf(xml, 64, "<BindingInfo>");
	for (i = 0; i < n; i++)
		xml[o++] = '\n';
	o += (size_t)snprintf(xml + o, 200, "<SendPortCollection><SendPort>"
	    "<PrimaryTransport><SendHandler Name='$(H)'/></PrimaryTransport>"
	    "</SendPort></SendPortCollection></BindingInfo>");
	load_str(xml, ASMGATE_E_MALFORMED, n + 1, "placeholder");
	free(xml);
}

/* UTF-16 LE and BE with a byte order mark read as the UTF-8 file. */
static uint8_t *
to_utf16(const uint8_t *s, size_t n, int be, size_t *out_len)
{
	uint8_t *o = malloc(2 * n + 2);
	size_t i, k = 0;

	assert_non_null(o);
	o[k++] = be ? 0xFE : 0xFF;
	o[k++] = be ? 0xFF : 0xFE;
	for (i = 0; i < n; i++) { /* the sample is ASCII */
		o[k++] = be ? 0 : s[i];
		o[k++] = be ? s[i] : 0;
	}
	*out_len = k;
	return o;
}

static void
test_bind__utf16(void **state)
{
	size_t n, n16, i, be;
	uint8_t *u8 = th_load("bindings/orders.xml", &n), *u16;
	asmgate_bindings *a = NULL, *b = NULL;
	asmgate_error e;

	(void)state;
	assert_int_equal(asmgate_bindings_load_memory(&a, u8, n, "o", &e),
	    ASMGATE_OK);
	for (be = 0; be < 2; be++) {
		u16 = to_utf16(u8, n, (int)be, &n16);
		assert_int_equal(asmgate_bindings_load_memory(&b, u16, n16, "o",
		    &e), ASMGATE_OK);
		assert_int_equal(asmgate_bindings_count(a),
		    asmgate_bindings_count(b));
		for (i = 0; i < asmgate_bindings_count(a); i++) {
			const asmgate_bound *x = asmgate_bindings_get(a, i);
			const asmgate_bound *y = asmgate_bindings_get(b, i);
			assert_string_equal(x->display, y->display);
			assert_int_equal(x->line, y->line);
			assert_true((!x->host && !y->host) ||
			    strcmp(x->host, y->host) == 0);
		}
		asmgate_bindings_free(b);
		b = NULL;
		free(u16);
	}
	/* A UTF-8 byte order mark is fine too. */
	u16 = malloc(n + 3);
	assert_non_null(u16);
	memcpy(u16, "\xEF\xBB\xBF", 3);
	memcpy(u16 + 3, u8, n);
	assert_int_equal(asmgate_bindings_load_memory(&b, u16, n + 3, "o", &e),
	    ASMGATE_OK);
	asmgate_bindings_free(b);
	free(u16);
	asmgate_bindings_free(a);
	free(u8);
}

/* Scan: closure, unbound, missing --------------------------------------- */

typedef struct expect_pl {
	const char *subject;   /* file name in the drop */
	const char *hosts;     /* "Host:role Host:role" in decision order */
} expect_pl;

static void
scan_expect(const char *bxml, const char *const *host_names, size_t nh,
    const char *const *paths, size_t np, const expect_pl *want, size_t nw,
    size_t want_missing)
{
	asmgate_policy *pol = NULL;
	asmgate_bindings *b = NULL;
	asmgate_scan_options o;
	asmgate_scan *sc = NULL;
	asmgate_subject *s;
	asmgate_error e;
	size_t hosts[8], i, k, seen = 0;

	assert_int_equal(asmgate_policy_load(&pol,
	    th_path("bindings/hosts-policy.xml"), &e), ASMGATE_OK);
	assert_int_equal(asmgate_bindings_load_memory(&b, bxml, strlen(bxml),
	    "b.xml", &e), ASMGATE_OK);
	assert_int_equal(asmgate_bindings_check_hosts(b, pol, &e), ASMGATE_OK);
	for (i = 0; i < nh; i++) {
		long h = asmgate_policy_find_host(pol, host_names[i]);
		assert_true(h >= 0);
		hosts[i] = (size_t)h;
	}
	assert_int_equal(asmgate_scan_options_init(&o,
	    ASMGATE_SCAN_OPTIONS_VERSION), ASMGATE_OK);
	o.jobs = 2;
	o.policy = pol;
	o.hosts = hosts;
	o.nhosts = nh;
	o.bindings = (const asmgate_bindings *const *)&b;
	o.nbindings = 1;
	assert_int_equal(asmgate_scan_new(&sc, &o, &e), ASMGATE_OK);
	for (i = 0; i < np; i++)
		assert_int_equal(asmgate_scan_add_path(sc, th_path(paths[i]),
		    &e), ASMGATE_OK);
	while (asmgate_scan_next(sc, &s, &e) == ASMGATE_OK && s) {
		const char *name = strrchr(asmgate_subject_name(s), '/') + 1;
		size_t npl, nd;
		const asmgate_placement *pl = asmgate_subject_placements(s, &npl);
		char got[512];
		size_t off = 0;

		assert_non_null(asmgate_subject_decisions(s, &nd));
		assert_int_equal(nd, npl);
		for (k = 0; k < npl; k++)
			off += (size_t)snprintf(got + off, sizeof(got) - off,
			    "%s%s:%s", k ? " " : "",
			    asmgate_policy_host_name(pol, pl[k].host),
			    asmgate_role_name(pl[k].role));
		got[off] = '\0';
		for (k = 0; k < nw; k++)
			if (strcmp(want[k].subject, name) == 0) {
				if (strcmp(want[k].hosts, got) != 0)
					fail_msg("%s: '%s', want '%s'", name,
					    got, want[k].hosts);
				seen++;
			}
		asmgate_subject_free(s);
	}
	assert_int_equal(seen, nw);
	assert_int_equal(asmgate_scan_missing_count(sc), want_missing);
	asmgate_scan_free(sc);
	asmgate_bindings_free(b);
	asmgate_policy_free(pol);
}

static void
test_bind__closure_unbound_missing(void **state)
{
	static const char *const all[] = { "ReceiveHost", "OrchestrationHost",
	    "SendHost", "TrackingHost" };
	static const char *const drop[] = { "bindings/drop" };
	/* Only the orchestration is bound: Helpers and Schemas follow it
	 * through its AssemblyRefs (src/Contoso.Orders.Orchestrations.cs
	 * uses both); Maps and Pipelines are referenced by nothing placed:
	 * unbound, every host; and since both use Schemas, Schemas runs in
	 * every host too. */
	static const char *const orch_only =
	    "<BindingInfo><ModuleRefCollection><ModuleRef FullName='"
	    "Contoso.Orders.Orchestrations, Version=1.2.0.0, Culture=neutral, "
	    "PublicKeyToken=" TOK "'><Services><Service Name='P'><Host "
	    "Name='OrchestrationHost'/></Service></Services></ModuleRef>"
	    "<ModuleRef FullName='Contoso.Orders.Gone, Version=1.0.0.0, "
	    "Culture=neutral, PublicKeyToken=" TOK "'><Services><Service "
	    "Name='G'><Host Name='OrchestrationHost'/></Service></Services>"
	    "</ModuleRef><ModuleRef FullName='Microsoft.BizTalk.X, "
	    "Version=3.0.1.0, Culture=neutral, PublicKeyToken="
	    "31bf3856ad364e35'><Services><Service Name='M'><Host "
	    "Name='OrchestrationHost'/></Service></Services></ModuleRef>"
	    "</ModuleRefCollection></BindingInfo>";
	static const expect_pl w1[] = {
		{ "Contoso.Orders.Orchestrations.dll",
		    "OrchestrationHost:orchestration" },
		{ "Contoso.Orders.Helpers.dll", "OrchestrationHost:dependency" },
		{ "Contoso.Orders.Schemas.dll", "ReceiveHost:dependency "
		    "OrchestrationHost:dependency SendHost:dependency "
		    "TrackingHost:dependency" },
		{ "Contoso.Orders.Maps.dll", "ReceiveHost:unbound "
		    "OrchestrationHost:unbound SendHost:unbound "
		    "TrackingHost:unbound" },
	};
	/* A map placed in SendHost pulls Schemas there (Maps references
	 * it); a token mismatch on Pipelines is no match (unbound, and
	 * its identity missing), and unbound Pipelines pulls Schemas into
	 * ReceiveHost. */
	static const char *const map_only =
	    "<BindingInfo><SendPortCollection><SendPort Name='S'>"
	    "<PrimaryTransport><SendHandler Name='SendHost'/>"
	    "</PrimaryTransport><TransmitPipeline FullyQualifiedName='T, "
	    "Contoso.Orders.Pipelines, Version=1.0.0.0, Culture=neutral, "
	    "PublicKeyToken=0000000000000000'/><Transforms><Transform "
	    "AssemblyQualifiedName='M,contoso.orders.MAPS, Version=1.0.0.0, "
	    "Culture=neutral, PublicKeyToken=" TOK "'/></Transforms>"
	    "</SendPort></SendPortCollection></BindingInfo>";
	static const expect_pl w2[] = {
		{ "Contoso.Orders.Maps.dll", "SendHost:map" },
		{ "Contoso.Orders.Schemas.dll", "ReceiveHost:dependency "
		    "SendHost:dependency" },
		{ "Contoso.Orders.Pipelines.dll", "ReceiveHost:unbound "
		    "SendHost:unbound" },
		{ "Contoso.Orders.Orchestrations.dll", "ReceiveHost:unbound "
		    "SendHost:unbound" },
	};
	static const char *const two[] = { "ReceiveHost", "SendHost" };

	(void)state;
	/* Missing: Gone (Microsoft's own assembly is never missing). */
	scan_expect(orch_only, all, 4, drop, 1, w1, 4, 1);
	/* --host subset: unbound ones only for those; missing Pipelines. */
	scan_expect(map_only, two, 2, drop, 1, w2, 4, 1);
}

/* Lint ------------------------------------------------------------------ */

static void
test_bind__lint_findings(void **state)
{
	size_t n, len, i;
	uint8_t *xml = th_load("bindings/layout-issues.xml", &len);
	asmgate_bindings *b = NULL;
	asmgate_policy *pol = NULL;
	asmgate_bindings_finding *f = NULL;
	asmgate_error e;
	static const char *const want_nopol[] = { "isolated-host-orchestration",
	    "inconsistent-trust", "orchestration-and-receive" };
	static const char *const want_pol[] = { "isolated-host-orchestration",
	    "shared-account", "inconsistent-trust",
	    "tracking-host-not-dedicated", "orchestration-and-receive",
	    "host-not-in-policy" };

	(void)state;
	assert_int_equal(asmgate_bindings_load_memory(&b, xml, len, "l.xml",
	    &e), ASMGATE_OK);
	assert_int_equal(asmgate_bindings_lint(
	    (const asmgate_bindings *const *)&b, 1, NULL, &f, &n, &e),
	    ASMGATE_OK);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		assert_string_equal(f[i].code, want_nopol[i]);
		assert_string_equal(f[i].file, "l.xml");
		assert_true(f[i].line > 0);
	}
	asmgate_free(f);
	assert_int_equal(asmgate_policy_load(&pol,
	    th_path("bindings/layout-policy.xml"), &e), ASMGATE_OK);
	assert_int_equal(asmgate_bindings_lint(
	    (const asmgate_bindings *const *)&b, 1, pol, &f, &n, &e),
	    ASMGATE_OK);
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++)
		assert_string_equal(f[i].code, want_pol[i]);
	asmgate_free(f);
	/* Host check: LegacyHost, at its line. */
	assert_int_equal(asmgate_bindings_check_hosts(b, pol, &e),
	    ASMGATE_E_POLICY);
	assert_non_null(strstr(e.msg, "LegacyHost"));
	assert_int_equal(e.line, 46);
	/* The policy side alone: shared-account in policy lint. */
	n = asmgate_policy_warning_count(pol);
	for (i = 0; i < n; i++)
		if (strcmp(asmgate_policy_get_warning(pol, i)->code,
		    "shared-account") == 0)
			break;
	assert_true(i < n);
	assert_string_equal(asmgate_policy_host_account(pol, 0),
	    "CONTOSO\\svc-bts");
	assert_true(asmgate_policy_host_tracking(pol, 3));
	assert_false(asmgate_policy_host_tracking(pol, 0));
	asmgate_policy_free(pol);
	asmgate_bindings_free(b);
	free(xml);
}

static void
test_bind__show(void **state)
{
	size_t len, olen;
	uint8_t *xml = th_load("bindings/orders.xml", &len), *out = NULL;
	asmgate_bindings *b = NULL;
	asmgate_error e;

	(void)state;
	assert_int_equal(asmgate_bindings_load_memory(&b, xml, len, "o.xml",
	    &e), ASMGATE_OK);
	assert_int_equal(asmgate_bindings_show(
	    (const asmgate_bindings *const *)&b, 1, ASMGATE_REPORT_JSON, &out,
	    &olen, &e), ASMGATE_OK);
	assert_non_null(strstr((char *)out, "\"name\": \"OrchestrationHost\""));
	asmgate_free(out);
	assert_int_equal(asmgate_bindings_show(
	    (const asmgate_bindings *const *)&b, 1, ASMGATE_REPORT_SARIF, &out,
	    &olen, &e), ASMGATE_E_USAGE);
	assert_string_equal(asmgate_role_name(ASMGATE_ROLE_SEND_PIPELINE),
	    "send-pipeline");
	assert_string_equal(asmgate_role_name((asmgate_role)99), "option");
	asmgate_bindings_free(b);
	free(xml);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind__display_name_forms),
		cmocka_unit_test(test_bind__display_name_errors),
		cmocka_unit_test(test_bind__placement_rules),
		cmocka_unit_test(test_bind__placeholders_and_names),
		cmocka_unit_test(test_bind__bad_input),
		cmocka_unit_test(test_bind__long_file_lines),
		cmocka_unit_test(test_bind__utf16),
		cmocka_unit_test(test_bind__closure_unbound_missing),
		cmocka_unit_test(test_bind__lint_findings),
		cmocka_unit_test(test_bind__show),
	};
	return cmocka_run_group_tests_name("bind", tests, NULL, NULL);
}
