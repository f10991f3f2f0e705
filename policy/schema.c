/*
 * schema.c - the policy schema (policy/asmgate-policy.xsd) embedded in
 * the library, and validation against it.
 *
 * The string below is the .xsd file byte for byte; test_policy checks
 * that the two are identical, so edit both together. It is compiled from
 * memory on each load (no file, no network: it imports nothing) and the
 * validator reports through per-context handlers only.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "policy.h"
#include "rd/err.h"

const char policy_schema_xsd[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!--\n"
	"  asmgate-policy.xsd - schema of asmgate policy files (namespace\n"
	"  urn:asmgate:policy:1): per-host vendor-key and signing-state allowlists\n"
	"  for .NET assemblies deployed into BizTalk hosts.\n"
	"\n"
	"  libasmgate validates every policy against this schema; policy/schema.c\n"
	"  holds a byte-for-byte copy (a unit test compares them). What a schema\n"
	"  cannot say is checked by policy/build.c: a key has exactly one of\n"
	"  publicKey, file and token; ids are unique (keys per policy, rules per\n"
	"  host, host names case-insensitively); keys and testKeys name defined\n"
	"  keys; testKeys are full keys; versions are 0-65535 per part; a\n"
	"  publisher has exactly one of subject and certSha256, and its names\n"
	"  parse as distinguished names; publishers name defined publishers.\n"
	"\n"
	"  Evaluation (policy/decide.c): an assembly is denied in a host if a deny\n"
	"  rule matches, else allowed if an allow rule matches, else denied by\n"
	"  default. All attributes of a rule must match; an absent attribute\n"
	"  matches anything, except states: \"signed\" on allow rules, every state\n"
	"  on deny rules.\n"
	"-->\n"
	"<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"\n"
	"           xmlns:p=\"urn:asmgate:policy:1\"\n"
	"           targetNamespace=\"urn:asmgate:policy:1\"\n"
	"           elementFormDefault=\"qualified\"\n"
	"           attributeFormDefault=\"unqualified\">\n"
	"\n"
	"  <!-- At most 64 characters: maxLength rather than a counted pattern,\n"
	"       which libxml2's regular expressions check far more slowly (a\n"
	"       policy at the caps names 160 000 ids). -->\n"
	"  <xs:simpleType name=\"id\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:pattern value=\"[A-Za-z0-9_][A-Za-z0-9_.\\-]*\"/>\n"
	"      <xs:maxLength value=\"64\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- Key ids separated by white space. Each must name a key defined in\n"
	"       the policy (checked when the policy is built), so its syntax is\n"
	"       that key's id, and the builder caps the count (RD_MAX_POLICY_LIST).\n"
	"       A token (white space collapsed, not empty): libxml2 checks a list\n"
	"       of patterned items far more slowly (a policy at the caps names\n"
	"       160 000 ids). -->\n"
	"  <xs:simpleType name=\"idList\">\n"
	"    <xs:restriction base=\"xs:token\">\n"
	"      <xs:minLength value=\"1\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <xs:simpleType name=\"mode\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:enumeration value=\"enforce\"/>\n"
	"      <xs:enumeration value=\"audit\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- Signing states (asmgate_sn_state); \"invalid\" is always denied. -->\n"
	"  <xs:simpleType name=\"state\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:enumeration value=\"unsigned\"/>\n"
	"      <xs:enumeration value=\"delay-signed\"/>\n"
	"      <xs:enumeration value=\"public-signed\"/>\n"
	"      <xs:enumeration value=\"test-signed\"/>\n"
	"      <xs:enumeration value=\"signed\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <xs:simpleType name=\"stateList\">\n"
	"    <xs:restriction>\n"
	"      <xs:simpleType>\n"
	"        <xs:list itemType=\"p:state\"/>\n"
	"      </xs:simpleType>\n"
	"      <xs:minLength value=\"1\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- Digest of the strong-name signature (the key blob's HashAlgID). -->\n"
	"  <xs:simpleType name=\"hashAlgorithm\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:enumeration value=\"sha1\"/>\n"
	"      <xs:enumeration value=\"sha256\"/>\n"
	"      <xs:enumeration value=\"sha384\"/>\n"
	"      <xs:enumeration value=\"sha512\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <xs:simpleType name=\"hashAlgorithmList\">\n"
	"    <xs:restriction>\n"
	"      <xs:simpleType>\n"
	"        <xs:list itemType=\"p:hashAlgorithm\"/>\n"
	"      </xs:simpleType>\n"
	"      <xs:minLength value=\"1\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- \"neutral\", or a culture name such as fr-FR. -->\n"
	"  <xs:simpleType name=\"culture\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:pattern value=\"[Nn][Ee][Uu][Tt][Rr][Aa][Ll]|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <xs:simpleType name=\"cultureList\">\n"
	"    <xs:restriction>\n"
	"      <xs:simpleType>\n"
	"        <xs:list itemType=\"p:culture\"/>\n"
	"      </xs:simpleType>\n"
	"      <xs:minLength value=\"1\"/>\n"
	"      <xs:maxLength value=\"256\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- Assembly version a.b.c.d (ECMA-335 II.22.2), inclusive bounds. -->\n"
	"  <xs:simpleType name=\"version\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:pattern value=\"[0-9]{1,5}\\.[0-9]{1,5}\\.[0-9]{1,5}\\.[0-9]{1,5}\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- Strong-name public key blob in hex; whitespace may wrap it. -->\n"
	"  <xs:simpleType name=\"publicKey\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:pattern value=\"\\s*([0-9A-Fa-f]\\s*[0-9A-Fa-f]\\s*)+\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- Public key token: 8 bytes in hex, display order. -->\n"
	"  <xs:simpleType name=\"token\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:pattern value=\"[0-9A-Fa-f]{16}\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <xs:simpleType name=\"path\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:minLength value=\"1\"/>\n"
	"      <xs:maxLength value=\"4096\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- BizTalk host names: letters, digits, '_', '.', '-'; at most 80. -->\n"
	"  <xs:simpleType name=\"hostName\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:pattern value=\"[A-Za-z0-9_.\\-]{1,80}\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- Assembly name glob: '*' any run, '?' one character; ASCII letters match in either case. -->\n"
	"  <xs:simpleType name=\"nameGlob\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:minLength value=\"1\"/>\n"
	"      <xs:maxLength value=\"256\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <xs:simpleType name=\"keyBits\">\n"
	"    <xs:restriction base=\"xs:unsignedInt\">\n"
	"      <xs:minInclusive value=\"384\"/>\n"
	"      <xs:maxInclusive value=\"16384\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- A distinguished name in RFC 4514 text, most specific RDN first\n"
	"       (\"CN=Contoso Ltd, O=Contoso Ltd, C=US\"); compared as canonical\n"
	"       DER RDNs (asmgate_dn_canonical), not as strings. -->\n"
	"  <xs:simpleType name=\"distinguishedName\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:minLength value=\"1\"/>\n"
	"      <xs:maxLength value=\"1024\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- SHA-256 of a DER certificate: 64 hex digits, or 32 pairs joined by\n"
	"       ':' as openssl x509 -fingerprint -sha256 prints them. -->\n"
	"  <xs:simpleType name=\"certSha256\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:pattern value=\"[0-9A-Fa-f]{64}|([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- authenticode=\"required\": a valid Authenticode signature must be\n"
	"       present; \"optional\": absent, or present and valid. Allow rules\n"
	"       only. -->\n"
	"  <xs:simpleType name=\"authenticode\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:enumeration value=\"required\"/>\n"
	"      <xs:enumeration value=\"optional\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <!-- lintAllow=\"short-key ...\", on any element: lint warnings about\n"
	"       that element reviewed and accepted (policy lint counts them as\n"
	"       suppressed; a code that accepts nothing is itself a warning). -->\n"
	"  <xs:simpleType name=\"lintCode\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:pattern value=\"[a-z][a-z\\-]*\"/>\n"
	"      <xs:maxLength value=\"64\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <xs:simpleType name=\"lintCodes\">\n"
	"    <xs:restriction>\n"
	"      <xs:simpleType>\n"
	"        <xs:list itemType=\"p:lintCode\"/>\n"
	"      </xs:simpleType>\n"
	"      <xs:minLength value=\"1\"/>\n"
	"      <xs:maxLength value=\"256\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <xs:attributeGroup name=\"conditions\">\n"
	"    <xs:attribute name=\"id\" type=\"p:id\" use=\"required\"/>\n"
	"    <xs:attribute name=\"keys\" type=\"p:idList\"/>\n"
	"    <xs:attribute name=\"states\" type=\"p:stateList\"/>\n"
	"    <xs:attribute name=\"name\" type=\"p:nameGlob\"/>\n"
	"    <xs:attribute name=\"culture\" type=\"p:cultureList\"/>\n"
	"    <xs:attribute name=\"minVersion\" type=\"p:version\"/>\n"
	"    <xs:attribute name=\"maxVersion\" type=\"p:version\"/>\n"
	"    <xs:attribute name=\"minKeyBits\" type=\"p:keyBits\"/>\n"
	"    <xs:attribute name=\"hashAlgorithms\" type=\"p:hashAlgorithmList\"/>\n"
	"    <xs:attribute name=\"publishers\" type=\"p:idList\"/>\n"
	"    <xs:attribute name=\"lintAllow\" type=\"p:lintCodes\"/>\n"
	"  </xs:attributeGroup>\n"
	"\n"
	"  <!-- checksum=\"required\": the PE checksum must be right (strong names\n"
	"       exclude it; dotnet/arcade's checker requires it). Allow rules only. -->\n"
	"  <xs:simpleType name=\"checksum\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:enumeration value=\"required\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <xs:complexType name=\"allow\">\n"
	"    <xs:attributeGroup ref=\"p:conditions\"/>\n"
	"    <xs:attribute name=\"testKeys\" type=\"p:idList\"/>\n"
	"    <xs:attribute name=\"checksum\" type=\"p:checksum\"/>\n"
	"    <xs:attribute name=\"authenticode\" type=\"p:authenticode\"/>\n"
	"  </xs:complexType>\n"
	"\n"
	"  <xs:complexType name=\"deny\">\n"
	"    <xs:attributeGroup ref=\"p:conditions\"/>\n"
	"  </xs:complexType>\n"
	"\n"
	"  <!-- Exactly one of publicKey, file (.pub, .snk or PEM, relative to the\n"
	"       policy file) and token (weaker: lint warns). -->\n"
	"  <xs:complexType name=\"key\">\n"
	"    <xs:attribute name=\"id\" type=\"p:id\" use=\"required\"/>\n"
	"    <xs:attribute name=\"publicKey\" type=\"p:publicKey\"/>\n"
	"    <xs:attribute name=\"file\" type=\"p:path\"/>\n"
	"    <xs:attribute name=\"token\" type=\"p:token\"/>\n"
	"    <xs:attribute name=\"lintAllow\" type=\"p:lintCodes\"/>\n"
	"  </xs:complexType>\n"
	"\n"
	"  <!-- An Authenticode publisher: exactly one of subject (the signer\n"
	"       certificate's subject) and certSha256 (a certificate anywhere in\n"
	"       the chain: leaf, intermediate or root); issuer optionally pins the\n"
	"       issuer of that certificate too. -->\n"
	"  <xs:complexType name=\"publisher\">\n"
	"    <xs:attribute name=\"id\" type=\"p:id\" use=\"required\"/>\n"
	"    <xs:attribute name=\"subject\" type=\"p:distinguishedName\"/>\n"
	"    <xs:attribute name=\"certSha256\" type=\"p:certSha256\"/>\n"
	"    <xs:attribute name=\"issuer\" type=\"p:distinguishedName\"/>\n"
	"    <xs:attribute name=\"lintAllow\" type=\"p:lintCodes\"/>\n"
	"  </xs:complexType>\n"
	"\n"
	"  <xs:complexType name=\"host\">\n"
	"    <xs:choice minOccurs=\"0\" maxOccurs=\"unbounded\">\n"
	"      <xs:element name=\"allow\" type=\"p:allow\"/>\n"
	"      <xs:element name=\"deny\" type=\"p:deny\"/>\n"
	"    </xs:choice>\n"
	"    <xs:attribute name=\"name\" type=\"p:hostName\" use=\"required\"/>\n"
	"    <xs:attribute name=\"lintAllow\" type=\"p:lintCodes\"/>\n"
	"    <xs:attribute name=\"mode\" type=\"p:mode\"/>\n"
	"    <!-- The host instances' service account (DOMAIN\\name) and whether\n"
	"         the host tracks: read by the host-layout lint (policy lint,\n"
	"         bindings lint). -->\n"
	"    <xs:attribute name=\"account\" type=\"p:account\"/>\n"
	"    <xs:attribute name=\"tracking\" type=\"xs:boolean\"/>\n"
	"  </xs:complexType>\n"
	"\n"
	"  <xs:simpleType name=\"account\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:minLength value=\"1\"/>\n"
	"      <xs:maxLength value=\"256\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"\n"
	"  <xs:element name=\"policy\">\n"
	"    <xs:complexType>\n"
	"      <xs:choice minOccurs=\"0\" maxOccurs=\"unbounded\">\n"
	"        <xs:element name=\"key\" type=\"p:key\"/>\n"
	"        <xs:element name=\"publisher\" type=\"p:publisher\"/>\n"
	"        <xs:element name=\"host\" type=\"p:host\"/>\n"
	"      </xs:choice>\n"
	"      <xs:attribute name=\"mode\" type=\"p:mode\"/>\n"
	"      <xs:attribute name=\"lintAllow\" type=\"p:lintCodes\"/>\n"
	"    </xs:complexType>\n"
	"  </xs:element>\n"
	"\n"
	"</xs:schema>\n";

const size_t policy_schema_xsd_len = sizeof(policy_schema_xsd) - 1;

/* The schema's own errors: the embedded schema is fixed, so any is a
 * bug, reported once. */
static void
on_compile_error(void *user, xmlErrorPtr e)
{
	asmgate_error *err = user;
	char msg[ASMGATE_ERRMSG_MAX];

	if (!e || e->level < XML_ERR_ERROR || err->code)
		return;
	policy_schema_message(msg, sizeof(msg), e->message);
	rd_fail_line(err, ASMGATE_E_POLICY, 0, "internal error: embedded %s",
	    msg);
}

void
policy_schema_message(char *buf, size_t n, const char *message)
{
	static const char ns[] = "{" POLICY_NS "}";
	const char *m = message ? message : "does not match the schema";
	size_t k, pre = sizeof("schema: ") - 1;

	if (n <= pre) {
		if (n)
			buf[0] = '\0';
		return;
	}
	memcpy(buf, "schema: ", pre);
	k = pre;
	/* names without the policy namespace: "Element 'allow',
	 * attribute 'foo': The attribute 'foo' is not allowed." */
	while (*m && k + 1 < n) {
		if (strncmp(m, ns, sizeof(ns) - 1) == 0) {
			m += sizeof(ns) - 1;
			continue;
		}
		buf[k++] = *m++;
	}
	buf[k] = '\0';
	k = strcspn(buf, "\r\n"); /* one line */
	while (k > pre && buf[k - 1] == ' ')
		k--;
	buf[k] = '\0';
}

void *
policy_schema_new(asmgate_error *err)
{
	xmlSchemaParserCtxtPtr pctxt;
	xmlSchemaPtr schema;
	asmgate_error e;

	/* the first compile error into a record of our own (err may hold
	 * an earlier, unrelated code) */
	asmgate_error_clear(&e);
	pctxt = xmlSchemaNewMemParserCtxt(policy_schema_xsd,
	    (int)policy_schema_xsd_len);
	if (!pctxt) {
		rd_fail_line(err, ASMGATE_E_NOMEM, 0,
		    "out of memory for the schema");
		return NULL;
	}
	xmlSchemaSetParserStructuredErrors(pctxt, on_compile_error, &e);
	schema = xmlSchemaParse(pctxt);
	xmlSchemaFreeParserCtxt(pctxt);
	if (!schema) {
		if (!e.code)
			rd_fail_line(&e, ASMGATE_E_POLICY, 0, "internal error: "
			    "the embedded policy schema does not compile");
		if (err)
			*err = e;
	}
	return schema;
}

void
policy_schema_free(void *schema)
{
	if (schema)
		xmlSchemaFree(schema);
}
