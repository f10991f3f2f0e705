/*
 * adf.h - internals of the BizTalk application definition reader
 * (bind/adf.c): ApplicationDefinition.adf of an exported application
 * MSI, and the check of what it declares against what the MSI holds.
 */
#ifndef BIND_ADF_H
#define BIND_ADF_H

#include <stddef.h>
#include <stdint.h>

#include "asmgate.h"

/* The adf's file name in an application MSI's File table. */
#define BIND_ADF_NAME "ApplicationDefinition.adf"

/* The application definition namespace (the root's). */
#define BIND_ADF_NS \
	"http://Microsoft.BizTalk.ApplicationDeployment/" \
	"ApplicationDefinition.xsd"

/* One resource: the public view, and the strings it points into. */
typedef struct bind_adf_res {
	asmgate_app_resource pub;
	char *type, *luid, *full_name, *cabinet, *destination, *environment;
	char *name, *culture;
	asmgate_app_file *files;
	char **fstr;               /* 2 per file: path, key */
} bind_adf_res;

struct asmgate_app {
	char *path;
	char *name, *version, *guid;
	char **refs;
	size_t nrefs;
	bind_adf_res *res;
	size_t nres, cap;
};

/** 1 when the last component of member path p ('/' separated) is
 *  BIND_ADF_NAME (ASCII case-insensitive), else 0. */
int bind_adf_is_definition(const char *p);

/** The index of the first resource whose ShortCabinetName equals the
 *  last component of member path p (case-insensitive), or -1. */
long bind_adf_find_cabinet(const asmgate_app *app, const char *p);

/** The resource's display name ("Name, Version=1.0.0.0, Culture=neutral,
 *  PublicKeyToken=...") into buf, from its parsed identity. */
void bind_adf_identity(const asmgate_app_resource *r, char *buf,
    size_t len);

/** 1 when r (an assembly kind with an identity) names exactly the
 *  assembly name/version/culture/token (token NULL: no public key):
 *  names and cultures ASCII case-insensitive, version all four parts,
 *  a token given as null matches no key only. */
int bind_adf_matches(const asmgate_app_resource *r, const char *name,
    const asmgate_version *v, const char *culture, const uint8_t *token);

/** Call once, on one thread, before application definitions may be
 *  read on several threads (the scan's workers). */
void bind_adf_init(void);

#endif /* BIND_ADF_H */
