/*
 * imgmeta: strip identifying metadata from an image sent through the no-JS
 * form, before it is sealed.
 *
 * A phone photo carries its camera, its serial number, the time and often
 * the place it was taken (EXIF GPS). With JavaScript the browser re-encodes
 * photos through a canvas; without it, the server does the least it can do
 * without decoding pixels: it walks the file's container structure and
 * drops every metadata block, keeping the image data byte for byte.
 *
 *   JPEG  drops APP1..APP13, APP15 (EXIF, XMP, ICC, Photoshop/IPTC, vendor
 *         blocks) and COM segments; keeps APP0 (JFIF) and APP14 (Adobe
 *         colour transform), which decoders need and which name no one.
 *   PNG   drops tEXt, zTXt, iTXt, eXIf, tIME, iCCP chunks.
 *   WebP  drops EXIF, XMP and ICCP chunks, clears their VP8X flags and
 *         fixes the RIFF size.
 *   GIF   drops comment extensions and application extensions other than
 *         NETSCAPE2.0 / ANIMEXTS1.0 (looping).
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

#endif
