/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sha256.c - SHA-256 as specified by FIPS 180-4, sections 4.1.2, 4.2.2,
 * 5.1.1 and 6.2, in plain C and with the x86 SHA extensions; no library:
 * see sha256.h for why.
 */
#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#include <sys/platform/x86.h>
#endif

#include "packer/sha256.h"

/* K: the first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes (FIPS 180-4 section 4.2.2). */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* The six logical functions of section 4.1.2. */
#define CH(x, y, z)  (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x)     (rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22))
#define BSIG1(x)     (rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25))
#define SSIG0(x)     (rotr(x, 7) ^ rotr(x, 18) ^ ((x) >> 3))
#define SSIG1(x)     (rotr(x, 17) ^ rotr(x, 19) ^ ((x) >> 10))

static uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Section 6.2.2: one 512-bit block into the hash value. */
static void block_generic(uint32_t h[8], const uint8_t *block)
{
	uint32_t w[64];
	for (int t = 0; t < 16; t++)
		w[t] = be32_get(block + 4 * t);
	for (int t = 16; t < 64; t++)
		w[t] = SSIG1(w[t - 2]) + w[t - 7] + SSIG0(w[t - 15]) + w[t - 16];

	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
	uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = hh + BSIG1(e) + CH(e, f, g) + K[t] + w[t];
		uint32_t t2 = BSIG0(a) + MAJ(a, b, c);
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

#if defined(__x86_64__)
/*
 * The same compression with the x86 SHA extensions (SHA-NI): four rounds
 * per step, two per sha256rnds2.  The instructions keep the working
 * variables as two vectors, ABEF and CDGH (A in the highest lane), and
 * sha256msg1/msg2 compute four words of the message schedule at a time:
 * W[t..t+3] = msg2(msg1(W[t-16..t-13], W[t-12..t-9]) + W[t-7..t-4], W[t-4..t-1]).
 * About six times faster than block_generic(); the runtime hashes every
 * patch it loads while the thread it runs on is taken from the program.
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
	__m128i dcba = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)&h[4]);
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
	__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);

	for (; n > 0; n--, p += SHA256_BLOCK_LEN) {
		__m128i abef_in = abef, cdgh_in = cdgh, w[4];
		for (int i = 0; i < 16; i++) {
			__m128i *wi = &w[i % 4];
			if (i < 4)
				*wi = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
			else
				*wi = _mm_sha256msg2_epu32(
					_mm_add_epi32(_mm_sha256msg1_epu32(*wi, w[(i + 1) % 4]),
						      _mm_alignr_epi8(w[(i + 3) % 4], w[(i + 2) % 4], 4)),
					w[(i + 3) % 4]);
			__m128i wk = _mm_add_epi32(*wi, _mm_loadu_si128((const __m128i *)&K[4 * i]));
			/* After two rounds the old ABEF is the new CDGH: the first
			 * call leaves ABEF in cdgh, the second puts it back. */
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
		}
		abef = _mm_add_epi32(abef, abef_in);
		cdgh = _mm_add_epi32(cdgh, cdgh_in);
	}

	__m128i feba = _mm_shuffle_epi32(abef, 0x1b);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

/* From the features the dynamic loader recorded at start: a CPUID
 * instruction here would trap to the hypervisor in a VM (4 us each). */
static bool cpu_has_shani(void)
{
	return CPU_FEATURE_ACTIVE(SHA) && CPU_FEATURE_ACTIVE(SSE4_1) && CPU_FEATURE_ACTIVE(SSSE3);
}
#endif

/* 0: not decided yet, 1: plain C, 2: SHA extensions. */
static int impl;

bool sha256_accelerated(void)
{
#if defined(__x86_64__)
	if (!impl)
		impl = cpu_has_shani() ? 2 : 1;
#else
	impl = 1;
#endif
	return impl == 2;
}

void sha256_use_generic(bool on)
{
	impl = on ? 1 : 0;
}

static void sha256_blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
#if defined(__x86_64__)
	if (sha256_accelerated()) {
		blocks_shani(h, p, n);
		return;
	}
#endif
	for (; n > 0; n--, p += SHA256_BLOCK_LEN)
		block_generic(h, p);
}

/* The initial hash value H(0) of FIPS 180-4 section 5.3.3: the first 32
 * bits of the fractional parts of the square roots of the first 8 primes. */
void sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, h0, sizeof(h0));
	s->total = 0;
	s->used = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	s->total += len;
	if (s->used) {
		size_t n = SHA256_BLOCK_LEN - s->used;
		if (n > len)
			n = len;
		memcpy(s->block + s->used, p, n);
		s->used += n;
		p += n;
		len -= n;
		if (s->used < SHA256_BLOCK_LEN)
			return;
		sha256_blocks(s->h, s->block, 1);
		s->used = 0;
	}
	size_t whole = len / SHA256_BLOCK_LEN;
	sha256_blocks(s->h, p, whole);
	p += whole * SHA256_BLOCK_LEN;
	len -= whole * SHA256_BLOCK_LEN;
	memcpy(s->block, p, len);
	s->used = len;
}

/*
 * Section 5.1.1: append the bit "1", then zeros up to 56 bytes modulo 64,
 * then the message length in bits as a 64-bit big-endian integer.
 */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_LEN])
{
	uint64_t bits = s->total * 8;
	s->block[s->used++] = 0x80;
	if (s->used > SHA256_BLOCK_LEN - 8) {
		memset(s->block + s->used, 0, SHA256_BLOCK_LEN - s->used);
		sha256_blocks(s->h, s->block, 1);
		s->used = 0;
	}
	memset(s->block + s->used, 0, SHA256_BLOCK_LEN - 8 - s->used);
	for (int i = 0; i < 8; i++)
		s->block[SHA256_BLOCK_LEN - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha256_blocks(s->h, s->block, 1);

	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void sha256_digest(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN])
{
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}
