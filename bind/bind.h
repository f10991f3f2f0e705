/*
 * bind.h - internals of the bindings module (bind/): BizTalk binding
 * files (BindingInfo.xml), the assemblies they name and the hosts that
 * run them.
 *
 * A binding file is loaded by the policy module's hardened XML loader
 * (policy/load.c, policy_xml_parse_limits) with the binding limits of
 * rd/limits.h, then walked once (load.c): identities from ModuleRef,
 * *Pipeline@FullyQualifiedName, Transform@AssemblyQualifiedName and
 * Schema@AssemblyQualifiedName, parsed as .NET display names (name.c),
 * each with the host the element places it in; the hosts with their
 * roles and trust (for lint.c and show.c). Layout: the BizTalk binding
 * file reference (biztalk/core: the -node.md pages); placement: "Assembly
 * installation in the GAC" (biztalk/core/assembly-installation-in-the-
 * gac.md), see docs/ARCHITECTURE.md.
 */
#ifndef BIND_BIND_H
#define BIND_BIND_H

#include <stddef.h>
#include <stdint.h>

#include "asmgate.h"
#include "rd/limits.h"

/* A culture name: LOCALE_NAME_MAX_LENGTH (85) with its NUL. */
#define BIND_CULTURE_MAX 86u

/* A parsed assembly display name (the AssemblyName string form). */
typedef struct bind_name {
	char name[RD_MAX_NAME_BYTES + 1];
	int has_version;
	asmgate_version version;
	int has_culture;
	char culture[BIND_CULTURE_MAX]; /* "" neutral */
	int has_token;
	int token_null;
	uint8_t token[8];
} bind_name;

/** Parse an assembly display name ("Name, Version=1.0.0.0,
 *  Culture=neutral, PublicKeyToken=0123456789abcdef"): keys are
 *  case-insensitive, spaces around names and values are dropped, a
 *  value may be quoted ("..." or '...'), '\' escapes , = " ' \ and
 *  unknown keys are ignored as .NET does; a repeated key, an empty name,
 *  a bad version (2-4 parts of 0-65535) or token (16 hex digits or
 *  null) is an error (ASMGATE_E_MALFORMED, message only). */
asmgate_status bind_parse_display_name(const char *s, bind_name *out,
    asmgate_error *err);

/** The assembly part of an assembly-qualified type name
 *  ("Ns.Type, Asm, Version=..."): after the first comma outside
 *  brackets and escapes. */
asmgate_status bind_parse_qualified_name(const char *s, bind_name *out,
    asmgate_error *err);

/* Host roles (bits). */
#define BIND_HOST_ORCH 0x1u
#define BIND_HOST_RECEIVE 0x2u
#define BIND_HOST_SEND 0x4u

/* One host as the bindings name it. */
typedef struct bind_host {
	char *name;
	unsigned long line;          /* first naming element */
	unsigned roles;              /* BIND_HOST_* */
	unsigned long role_line[3];  /* first element of each role */
	int trusted;                 /* -1: not said; 0, 1 */
	unsigned long trusted_line;
	int trust_conflict;          /* said both ways */
	unsigned long conflict_line;
	int isolated_orch;           /* Service/Host Type="2" */
	unsigned long isolated_line;
} bind_host;

struct asmgate_bindings {
	char *path;
	asmgate_bound *ids;
	size_t nids, cap;
	bind_host *hosts;
	size_t nhosts, hcap;
};

/** 1 when the identity matches name, version, culture and token (NULL:
 *  no public key). Names and cultures compare ASCII case-insensitively. */
int bind_matches(const asmgate_bound *b, const char *name,
    const asmgate_version *v, const char *culture, const uint8_t *token);

/** ASCII case-insensitive strcmp. */
int bind_casecmp(const char *a, const char *b);

#endif /* BIND_BIND_H */
