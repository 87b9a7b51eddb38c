// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who signed a file: a minimal DER reader for the PKCS#7 message of a
 * signature trailer (RFC 2315 / RFC 5652):
 *
 *   ContentInfo ::= SEQUENCE { contentType OID (signedData),
 *                              [0] EXPLICIT SignedData }
 *   SignedData  ::= SEQUENCE { version INTEGER, digestAlgorithms SET,
 *                              contentInfo SEQUENCE, [0] certificates OPT,
 *                              [1] crls OPT, signerInfos SET }
 *   SignerInfo  ::= SEQUENCE { version INTEGER,
 *                              sid: issuerAndSerialNumber SEQUENCE
 *                                   { issuer Name, serial INTEGER }
 *                                   | [0] subjectKeyIdentifier,
 *                              digestAlgorithm SEQUENCE { OID, ... }, ... }
 *
 * Every length is checked against what encloses it; a message that does
 * not fit this shape is reported, not guessed at.
 */
#include <stdio.h>
#include <string.h>

#include "flank_sigtrailer.h"
#include "sigfile.h"

/* One DER element: tag, and its content [p, p + len). */
struct der {
	unsigned int tag;
	const uint8_t *p;
	size_t len;
};

/* Reads the element at *pos (before end); advances *pos past it. */
static int der_next(const uint8_t **pos, const uint8_t *end, struct der *d)
{
	const uint8_t *p = *pos;
	size_t len, n;

	if (end - p < 2)
		return -1;
	d->tag = *p++;
	if ((d->tag & 0x1f) == 0x1f) /* High tag numbers: not in PKCS#7. */
		return -1;
	len = *p++;
	if (len & 0x80) {
		n = len & 0x7f;
		if (n == 0 || n > 4 || (size_t)(end - p) < n)
			return -1;
		for (len = 0; n; n--)
			len = len << 8 | *p++;
	}
	if (len > (size_t)(end - p))
		return -1;
	d->p = p;
	d->len = len;
	*pos = p + len;
	return 0;
}

/* Reads the next element and requires tag @p tag. */
static int der_expect(const uint8_t **pos, const uint8_t *end, unsigned int tag,
		      struct der *d)
{
	return der_next(pos, end, d) == 0 && d->tag == tag ? 0 : -1;
}

#define T_INT 0x02u
#define T_OCTETS 0x04u
#define T_OID 0x06u
#define T_SEQ 0x30u
#define T_SET 0x31u
#define T_CTX0 0xa0u
#define T_CTX0_PRIM 0x80u
#define T_CTX1 0xa1u

static const uint8_t oid_signed_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
					  0x0d, 0x01, 0x07, 0x02};
static const uint8_t oid_cn[] = {0x55, 0x04, 0x03};
static const uint8_t oid_o[] = {0x55, 0x04, 0x0a};

static const struct {
	const char *name;
	uint8_t len;
	uint8_t oid[9];
} digests[] = {
	{"sha1", 5, {0x2b, 0x0e, 0x03, 0x02, 0x1a}},
	{"sha256", 9, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}},
	{"sha384", 9, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02}},
	{"sha512", 9, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03}},
	{"sha224", 9, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04}},
	{"sha3-256", 9, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x08}},
	{"sha3-384", 9, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x09}},
	{"sha3-512", 9, {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x0a}},
};

static int oid_is(const struct der *d, const uint8_t *oid, size_t len)
{
	return d->tag == T_OID && d->len == len && memcmp(d->p, oid, len) == 0;
}

/* Hex bytes joined by ':', as openssl and the kernel print serials. */
static void hex(char *out, size_t max, const char *prefix, const uint8_t *p,
		size_t len)
{
	size_t n = (size_t)snprintf(out, max, "%s", prefix);
	size_t i;

	for (i = 0; i < len && n + 4 < max; i++)
		n += (size_t)snprintf(out + n, max - n, "%s%02x", i ? ":" : "",
				      p[i]);
	if (i < len && n + 4 <= max)
		snprintf(out + n, max - n, "...");
}

/* The attribute value as printable ASCII ('?' for anything else). */
static void printable(char *out, size_t max, const struct der *v)
{
	size_t i, n = v->len < max - 1 ? v->len : max - 1;

	for (i = 0; i < n; i++) {
		char c = (char)v->p[i];

		/* Signed or not, bytes >= 0x80 fall outside 0x20..0x7e. */
		if (c < 0x20 || c >= 0x7f)
			c = '?';
		out[i] = c;
	}
	out[n] = '\0';
}

/* The issuer's CN, else its O, else "?". */
static int read_name(const struct der *name, char *out, size_t max)
{
	const uint8_t *pos = name->p, *end = name->p + name->len;
	const uint8_t *rp, *ap;
	struct der rdn, atv, type, val;

	snprintf(out, max, "?");
	while (pos < end) {
		if (der_expect(&pos, end, T_SET, &rdn))
			return -1;
		rp = rdn.p;
		while (rp < rdn.p + rdn.len) {
			if (der_expect(&rp, rdn.p + rdn.len, T_SEQ, &atv))
				return -1;
			ap = atv.p;
			if (der_expect(&ap, atv.p + atv.len, T_OID, &type) ||
			    der_next(&ap, atv.p + atv.len, &val))
				return -1;
			if (oid_is(&type, oid_cn, sizeof(oid_cn)))
				printable(out, max, &val);
			else if (oid_is(&type, oid_o, sizeof(oid_o)) &&
				 strcmp(out, "?") == 0)
				printable(out, max, &val);
		}
	}
	return 0;
}

static const char *read_signer(const struct der *si, struct flank_sigfile *s)
{
	const uint8_t *pos = si->p, *end = si->p + si->len, *ip;
	struct der ver, sid, name, serial, alg, oid;
	size_t i;

	if (der_expect(&pos, end, T_INT, &ver) || der_next(&pos, end, &sid))
		return "SignerInfo: no version or signer identifier";
	if (sid.tag == T_SEQ) {
		ip = sid.p;
		if (der_expect(&ip, sid.p + sid.len, T_SEQ, &name) ||
		    der_expect(&ip, sid.p + sid.len, T_INT, &serial) ||
		    read_name(&name, s->signer, sizeof(s->signer)))
			return "SignerInfo: bad issuer and serial number";
		hex(s->id, sizeof(s->id), "serial ", serial.p, serial.len);
	} else if (sid.tag == T_CTX0_PRIM) {
		snprintf(s->signer, sizeof(s->signer), "?");
		hex(s->id, sizeof(s->id), "key id ", sid.p, sid.len);
	} else {
		return "SignerInfo: unknown signer identifier";
	}
	if (der_expect(&pos, end, T_SEQ, &alg))
		return "SignerInfo: no digest algorithm";
	ip = alg.p;
	if (der_expect(&ip, alg.p + alg.len, T_OID, &oid))
		return "SignerInfo: bad digest algorithm";
	snprintf(s->digest, sizeof(s->digest), "unknown");
	for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
		if (oid_is(&oid, digests[i].oid, digests[i].len))
			snprintf(s->digest, sizeof(s->digest), "%s",
				 digests[i].name);
	return NULL;
}

static const char *read_pkcs7(const uint8_t *p, size_t len,
			      struct flank_sigfile *s)
{
	const uint8_t *pos = p, *end = p + len;
	struct der ci, type, wrap, sd, d;

	if (der_expect(&pos, end, T_SEQ, &ci))
		return "not a DER SEQUENCE";
	pos = ci.p;
	end = ci.p + ci.len;
	if (der_expect(&pos, end, T_OID, &type) ||
	    !oid_is(&type, oid_signed_data, sizeof(oid_signed_data)))
		return "not PKCS#7 signed data";
	if (der_expect(&pos, end, T_CTX0, &wrap))
		return "no content";
	pos = wrap.p;
	end = wrap.p + wrap.len;
	if (der_expect(&pos, end, T_SEQ, &sd))
		return "bad SignedData";
	pos = sd.p;
	end = sd.p + sd.len;
	if (der_expect(&pos, end, T_INT, &d) ||
	    der_expect(&pos, end, T_SET, &d) ||
	    der_expect(&pos, end, T_SEQ, &d))
		return "bad SignedData header";
	do {
		if (der_next(&pos, end, &d))
			return "no SignerInfos";
	} while (d.tag == T_CTX0 || d.tag == T_CTX1);
	if (d.tag != T_SET)
		return "no SignerInfos";
	pos = d.p;
	if (der_expect(&pos, d.p + d.len, T_SEQ, &d))
		return "no SignerInfo";
	return read_signer(&d, s);
}

void flank_sigfile_read(const void *bytes, size_t size,
			struct flank_sigfile *out)
{
	struct flank_sig_trailer t;

	memset(out, 0, sizeof(*out));
	out->elf_size = size;
	out->trailer = flank_sig_find(bytes, size, &t);
	if (out->trailer != FLANK_SIGR_OK)
		return;
	out->elf_size = t.elf_size;
	out->error =
		read_pkcs7((const uint8_t *)bytes + t.elf_size, t.sig_len, out);
	out->parsed = out->error == NULL;
}

void flank_sigfile_describe(const struct flank_sigfile *s, char *buf,
			    size_t max)
{
	if (s->trailer == FLANK_SIGR_NO_TRAILER)
		snprintf(buf, max, "not signed");
	else if (s->trailer != FLANK_SIGR_OK)
		snprintf(buf, max, "bad signature trailer: %s",
			 flank_sig_reason_str(s->trailer));
	else if (!s->parsed)
		snprintf(buf, max, "signed, but the PKCS#7 message is bad: %s",
			 s->error);
	else
		snprintf(buf, max, "signed (%s) by '%s', %s", s->digest,
			 s->signer, s->id);
}
