/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sha256.h - SHA-256 (FIPS 180-4), written here so that the runtime, which
 * is loaded into every target process, needs no crypto library: a target
 * may use its own OpenSSL and must not see a second libcrypto appear.
 *
 * Usage: sha256_init(), sha256_update() any number of times,
 * sha256_final().  Or sha256_digest() for one buffer.
 */
#ifndef ULP_SHA256_H
#define ULP_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_BLOCK_LEN  64

struct sha256 {
	uint32_t h[8];
	uint64_t total;			 /* bytes hashed so far */
	uint8_t block[SHA256_BLOCK_LEN]; /* partial block */
	size_t used;			 /* bytes in @block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* sha256_final() - pad, finish and write the digest; @s is spent after. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_LEN]);
void sha256_digest(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN]);

/* Whether the CPU's SHA instructions do the work (decided once). */
bool sha256_accelerated(void);
/* For the tests: force the plain C compression (on) or choose again (off). */
void sha256_use_generic(bool on);

#endif
