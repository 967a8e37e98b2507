/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * imgmeta: strip identifying metadata from an image sent through the no-JS
 * form, before it is sealed.
 *
 * A phone photo carries its camera, its serial number, the time and often
 * the place it was taken (EXIF GPS), and may carry C2PA content
 * credentials (device, author, place) or a thumbnail made before a crop or
 * a blur. With JavaScript the browser re-encodes photos through a canvas;
 * without it, the server does the least it can do without decoding pixels:
 * it walks the file's container structure and keeps only an allowlist of
 * the parts needed to show the picture, the image data byte for byte.
 * Whatever is not on the list goes, known or not.
 *
 *   JPEG  SOI, DQT, DHT, DAC, SOFn, DNL, DRI, SOS with its scan data and
 *         restart markers, EOI; the first APP0 JFIF and APP14 Adobe
 *         written back as their fixed fields alone (JFIF with no
 *         thumbnail). JFXX thumbnails, EXIF, XMP, ICC, MPF, C2PA (APP11),
 *         COM and what follows EOI go.
 *   PNG   IHDR (first), PLTE, tRNS, IDAT, IEND, and the colour chunks
 *         gAMA, cHRM, sRGB, cICP of their fixed sizes. iCCP (names its
 *         maker and date), text, eXIf, tIME, caBX (C2PA), APNG frames and
 *         private or unknown chunks go.
 *   WebP  VP8X (only its alpha and animation flags left, reserved bytes
 *         zeroed), ANIM, ANMF (inside it: ALPH, VP8, VP8L), ALPH, VP8,
 *         VP8L; the RIFF and ANMF sizes are fixed. EXIF, XMP, ICCP, C2PA
 *         and unknown chunks go.
 *   GIF   header, colour tables, images, graphic control extensions and
 *         the NETSCAPE2.0 / ANIMEXTS1.0 loop count (each written back as
 *         its first sub-block alone). Comments, plain text, XMP, ICC and
 *         other application extensions go.
 *
 * The work is done in place: the result is never longer than the input.
 */
#ifndef UMBRA_IMGMETA_H
#define UMBRA_IMGMETA_H

#include <stddef.h>
#include <stdint.h>

/*
 * Strips metadata from the image in buf (*len bytes) of the given MIME
 * type ("image/jpeg", "image/png", "image/webp", "image/gif"), in place;
 * *len is updated. Returns 0, or -1 if the file is malformed or of another
 * type (the caller refuses it; buf is then in an unspecified state).
 * Bytes past the new *len are zeroed.
 */
int imgmeta_strip(uint8_t *buf, size_t *len, const char *type)
    __attribute__((warn_unused_result));

/* The MIME type imgmeta_strip takes for the image in p (n bytes), from its
 * first bytes, or NULL if it is none of the four. */
const char *imgmeta_type(const uint8_t *p, size_t n);

#endif
