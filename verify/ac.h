/*
 * ac.h - Authenticode internals shared by verify/authenticode.c (the
 * flow) and verify/actrust.c (trust store, chains, names, certificate
 * facts). authenticode.md is the reference.
 */
#ifndef VERIFY_AC_H
#define VERIFY_AC_H

#include <pthread.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "asmgate.h"

struct asmgate_trust {
	X509_STORE *store;   /* anchors and CRLs; read-only once built */
	int has_crls;        /* CRLs given: the leaf is checked */
	int has_anchors;     /* at least one anchor file or directory read */
	/* The system bundle is read when the first chain needs it (under
	 * mu), not when the store is made: a run without an Authenticode
	 * signature does not pay for parsing it. */
	int lazy_default;
	int default_loaded;
	pthread_mutex_t mu;
};

/* Chain purposes. */
enum ac_purpose { AC_PURPOSE_CODE, AC_PURPOSE_TSA };

/* Build and check the chain of leaf to t's anchors at time when,
 * intermediates from untrusted (may be NULL); crl: apply the CRLs (the
 * signer's chain, not the TSA's). Returns the X509_V_* result (0: OK)
 * and, when out is not NULL, fills out/nout with the chain as built
 * (leaf first, at most max). -1 when the check could not be run. */
int ac_chain(const asmgate_trust *t, X509 *leaf, STACK_OF(X509) *untrusted,
    int64_t when, int crl, asmgate_ac_cert *out, size_t max, size_t *nout,
    int *depth);

/* Facts of one certificate. 0 on failure (memory). */
int ac_cert_facts(X509 *x, asmgate_ac_cert *out);

/* Display text and canonical form of a name. */
void ac_name(const X509_NAME *n, asmgate_ac_name *out);

/* An ASN.1 time as Unix seconds; 0 on failure. */
int ac_time(const ASN1_TIME *t, int64_t *out);

#endif /* VERIFY_AC_H */
