/*
 * ac.h - Authenticode internals shared by verify/authenticode.c (the
 * flow) and verify/actrust.c (trust store, chains, names, certificate
 * facts). authenticode.md is the reference.
 */
#ifndef VERIFY_AC_H
#define VERIFY_AC_H

#include <pthread.h>

#include <openssl/x509.h>
#include <openssl/pkcs7.h>
#include <openssl/x509_vfy.h>

#include "asmgate.h"
#include "rd/limits.h"

/* A certificate parsed once per run, kept by its DER (accache.c). */
typedef struct ac_cert_slot {
	uint8_t hash[32];        /* SHA-256 of der */
	uint8_t *der;            /* NULL: slot free */
	size_t len;
	X509 *x;                 /* one reference held by the slot */
	int busy;                /* lent to one SignedData being checked */
	asmgate_ac_cert *facts;  /* NULL until first asked */
} ac_cert_slot;

/* A chain outcome kept with every input it depends on (accache.c). */
typedef struct ac_chain_slot {
	int used;
	uint8_t key[32];         /* SHA-256 over the certificates' hashes */
	int64_t when;
	int crl;
	size_t max;
	int e, depth;
	size_t nout;
	asmgate_ac_cert *out;    /* max entries; NULL when max is 0 */
} ac_chain_slot;

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
	/* The caches (accache.c, docs/ARCHITECTURE.md "Authenticode
	 * caches"), under cmu. */
	pthread_mutex_t cmu;
	EVP_MD *sha256;
	ac_cert_slot certs[RD_MAX_AC_CERT_CACHE];
	unsigned cert_next;
	ac_chain_slot chains[RD_MAX_AC_CHAIN_CACHE];
	unsigned chain_next;
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

/* accache.c: the per-run caches of t (may be NULL: no cache). */
int ac_cache_init(asmgate_trust *t);
void ac_cache_free(asmgate_trust *t);

/* d2i_PKCS7(NULL, pp, len), with a SignedData's certificates taken
 * from (or added to) t's certificate cache; free with ac_p7_free. */
PKCS7 *ac_p7_d2i(const asmgate_trust *t, const unsigned char **pp,
    long len);
void ac_p7_free(const asmgate_trust *t, PKCS7 *p7);

/* ac_cert_facts, kept with x when x came from t's cache. */
int ac_cert_facts_cached(const asmgate_trust *t, X509 *x,
    asmgate_ac_cert *out);

/* The chain cache: the key of (leaf, untrusted); a kept outcome of
 * ac_chain for it, when, crl and max (1: found, outputs filled); an
 * outcome to keep. */
int ac_chain_key(const asmgate_trust *t, X509 *leaf,
    STACK_OF(X509) *untrusted, uint8_t key[32]);
int ac_chain_get(const asmgate_trust *t, const uint8_t key[32],
    int64_t when, int crl, asmgate_ac_cert *out, size_t max,
    size_t *nout, int *depth, int *e);
void ac_chain_put(const asmgate_trust *t, const uint8_t key[32],
    int64_t when, int crl, const asmgate_ac_cert *out, size_t max,
    size_t nout, int depth, int e);

#endif /* VERIFY_AC_H */
