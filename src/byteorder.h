/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unsigned integers in a kernel's byte order (big-endian on s390x,
 * little-endian on x86_64), whatever the host's: one definition for the
 * core, the dump reader, its decoders and the sample target.
 */
#ifndef KLPSTACK_BYTEORDER_H
#define KLPSTACK_BYTEORDER_H

#include <stdint.h>

/* The width-byte (1 to 8) unsigned integer at p. */
static inline uint64_t ks_load_uint(const void *p, int width, int big_endian)
{
	const unsigned char *b = p;
	uint64_t v = 0;

	for (int i = 0; i < width; i++)
		v |= (uint64_t)b[i] << (big_endian ? 8 * (width - 1 - i) : 8 * i);
	return v;
}

/* Store the low width bytes (1 to 8) of v at p. */
static inline void ks_store_uint(void *p, uint64_t v, int width, int big_endian)
{
	unsigned char *b = p;

	for (int i = 0; i < width; i++)
		b[i] = (unsigned char)(v >> (big_endian ? 8 * (width - 1 - i) : 8 * i));
}

#endif
