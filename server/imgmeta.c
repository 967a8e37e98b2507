/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* imgmeta: strip metadata from images in place (see imgmeta.h). */
#include "imgmeta.h"
#include "util.h"

#include <string.h>

static uint32_t
be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* Copies n bytes from r to w inside buf (w <= r always holds here). */
static void
keep(uint8_t *buf, size_t *w, size_t r, size_t n)
{
    if (*w != r)
        memmove(buf + *w, buf + r, n);
    *w += n;
}

/* ---- JPEG -------------------------------------------------------------- */

/* Segments the decoder needs: SOF0..SOF15 (not JPG, 0xc8), DHT (0xc4), DAC
 * (0xcc), DQT, DNL, DRI and SOS. APP0 JFIF and APP14 Adobe are rewritten
 * (jpeg_app); every other APPn, COM and the JPGn/TEM markers go. */
static int
jpeg_needed(uint8_t m)
{
    return (m >= 0xc0 && m <= 0xcf && m != 0xc8) || m == 0xdb || m == 0xdc ||
           m == 0xdd || m == 0xda;
}

/*
 * APP0 "JFIF" and APP14 "Adobe" hold nothing but numbers decoders use
 * (density; the colour transform of RGB and CMYK files), and the JFIF
 * segment may carry a thumbnail. The first of each is written back as
 * its fixed fields alone: JFIF with a 0 x 0 thumbnail, Adobe's 12 bytes.
 * Returns the bytes written at w (0: the segment goes).
 */
static size_t
jpeg_app(uint8_t *buf, size_t w, uint8_t m, const uint8_t *d, size_t n,
         int *have_jfif, int *have_adobe)
{
    uint8_t f[14];

    if (m == 0xe0 && !*have_jfif && n >= 14 && memcmp(d, "JFIF\0", 5) == 0) {
        memcpy(f, d, 12);  /* id, version, units, densities */
        f[12] = f[13] = 0; /* no thumbnail */
        *have_jfif = 1;
    } else if (m == 0xee && !*have_adobe && n >= 12 &&
               memcmp(d, "Adobe", 5) == 0) {
        memcpy(f, d, 12); /* id, version, flags0, flags1, transform */
        *have_adobe = 1;
        n = 12;
    } else {
        return 0;
    }
    if (m == 0xe0)
        n = 14;
    buf[w] = 0xff;
    buf[w + 1] = m;
    buf[w + 2] = 0;
    buf[w + 3] = (uint8_t)(n + 2);
    memcpy(buf + w + 4, f, n);
    return 4 + n;
}

static int
strip_jpeg(uint8_t *buf, size_t len, size_t *out)
{
    size_t r = 2, w = 2;
    int have_jfif = 0, have_adobe = 0;

    if (len < 4 || buf[0] != 0xff || buf[1] != 0xd8)
        return -1;
    for (;;) {
        uint8_t m;
        size_t seg;

        if (r >= len || buf[r] != 0xff)
            return -1;
        while (r < len && buf[r] == 0xff) /* fill bytes */
            r++;
        if (r >= len)
            return -1;
        m = buf[r++];
        if (m == 0xd9) { /* EOI: anything after it (vendor trailers) goes */
            buf[w++] = 0xff;
            buf[w++] = 0xd9;
            *out = w;
            return 0;
        }
        if (m == 0x00 || m == 0xd8)
            return -1;
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) { /* no length */
            if (m != 0x01) {
                buf[w++] = 0xff;
                buf[w++] = m;
            }
            continue;
        }
        if (len - r < 2)
            return -1;
        seg = (size_t)buf[r] << 8 | buf[r + 1];
        if (seg < 2 || seg > len - r)
            return -1;
        if (jpeg_needed(m)) {
            buf[w++] = 0xff;
            buf[w++] = m;
            keep(buf, &w, r, seg);
        } else if (m == 0xe0 || m == 0xee) {
            /* w + 4 <= r + 2: the fixed fields are copied out first. */
            w += jpeg_app(buf, w, m, buf + r + 2, seg - 2, &have_jfif,
                          &have_adobe);
        }
        r += seg;
        if (m == 0xda) {
            /* Entropy-coded data: up to the next marker that is neither
             * a stuffed 0xff00 nor a restart marker. */
            size_t s = r;

            while (r < len) {
                if (buf[r] == 0xff && r + 1 < len && buf[r + 1] != 0x00 &&
                    !(buf[r + 1] >= 0xd0 && buf[r + 1] <= 0xd7) &&
                    buf[r + 1] != 0xff)
                    break;
                r++;
            }
            if (r >= len)
                return -1;
            keep(buf, &w, s, r - s);
        }
    }
}

/* ---- PNG --------------------------------------------------------------- */

/*
 * The chunks that make the picture: IHDR, PLTE, tRNS, IDAT, IEND; and the
 * colour chunks of fixed size that change how it shows and say nothing of
 * who made it: gAMA, cHRM, sRGB, cICP. iCCP goes although it can change
 * colours: an ICC profile names its maker, device and creation date; the
 * picture then shows as sRGB. Animation (acTL, fcTL, fdAT) goes: viewers
 * show the first frame. Everything else goes, private chunks and caBX
 * (C2PA) included. Returns 1 to keep.
 */
static int
png_keep(const uint8_t *type, uint32_t clen)
{
    static const struct {
        char type[5];
        uint32_t len; /* 0: any */
    } keep_list[] = {{"IHDR", 13}, {"PLTE", 0}, {"tRNS", 0},
                     {"IDAT", 0},  {"IEND", 0}, {"gAMA", 4},
                     {"cHRM", 32}, {"sRGB", 1}, {"cICP", 4}};
    for (size_t i = 0; i < sizeof keep_list / sizeof keep_list[0]; i++)
        if (memcmp(type, keep_list[i].type, 4) == 0)
            return keep_list[i].len == 0 || keep_list[i].len == clen;
    return 0;
}

static int
strip_png(uint8_t *buf, size_t len, size_t *out)
{
    size_t r = 8, w = 8;

    if (len < 8 || memcmp(buf, "\x89PNG\r\n\x1a\n", 8) != 0)
        return -1;
    /* IHDR first, as the format requires. */
    if (len - r < 12 + 13 || be32(buf + r) != 13 ||
        memcmp(buf + r + 4, "IHDR", 4) != 0)
        return -1;
    while (len - r >= 12) {
        uint32_t clen = be32(buf + r);
        size_t total;
        int end;

        if (clen > 0x7fffffffu || clen > len - r - 12)
            return -1;
        total = 12 + (size_t)clen;
        end = memcmp(buf + r + 4, "IEND", 4) == 0;
        if (png_keep(buf + r + 4, clen))
            keep(buf, &w, r, total);
        r += total;
        if (end) {
            *out = w;
            return 0;
        }
    }
    return -1; /* no IEND */
}

/* ---- WebP -------------------------------------------------------------- */

/*
 * Keeps, of the RIFF chunks in buf[r, end), those named in keep (4-byte
 * ids, n of them), written from w; *w_out is where the output ends.
 * Chunks are padded to even sizes. 0 or -1 if a chunk runs past end.
 */
static int
webp_chunks(uint8_t *buf, size_t r, size_t end, size_t w, size_t *w_out,
            const char *keep_ids, size_t n)
{
    while (end - r >= 8) {
        uint32_t csize = le32_load(buf + r + 4);
        size_t total;
        int wanted = 0;

        if (csize > end - r - 8)
            return -1;
        total = 8 + (size_t)csize + (csize & 1u);
        if (total > end - r)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (memcmp(buf + r, keep_ids + 4 * i, 4) == 0)
                wanted = 1;
        if (wanted)
            keep(buf, &w, r, total);
        r += total;
    }
    if (r != end)
        return -1;
    *w_out = w;
    return 0;
}

/*
 * Keeps VP8X, ANIM, ANMF, ALPH, VP8 and VP8L; inside each ANMF frame, its
 * 16 bytes of geometry and timing and its ALPH, VP8 and VP8L. VP8X keeps
 * only its alpha (0x10) and animation (0x02) flags: the ICC (0x20), EXIF
 * (0x08) and XMP (0x04) chunks are gone, and C2PA and unknown chunks with
 * them. ICCP goes for the reason iCCP does in PNG.
 */
static int
strip_webp(uint8_t *buf, size_t len, size_t *out)
{
    static const char top[] = "VP8XANIMANMFALPHVP8 VP8L";
    static const char frame[] = "ALPHVP8 VP8L";
    size_t w, r, end;
    uint32_t riff;

    if (len < 12 || memcmp(buf, "RIFF", 4) != 0 ||
        memcmp(buf + 8, "WEBP", 4) != 0)
        return -1;
    riff = le32_load(buf + 4);
    if (riff < 4 || riff > len - 8)
        return -1;
    end = 8 + (size_t)riff;
    if (webp_chunks(buf, 12, end, 12, &w, top, 6) < 0)
        return -1;
    /* Second pass over what is left: VP8X's flags, ANMF's sub-chunks. */
    for (r = 12, end = w, w = 12; r < end;) {
        uint32_t csize = le32_load(buf + r + 4);
        size_t total = 8 + (size_t)csize + (csize & 1u), fw;

        if (memcmp(buf + r, "VP8X", 4) == 0) {
            if (csize != 10)
                return -1;
            buf[r + 8] &= 0x12u;
            buf[r + 9] = buf[r + 10] = buf[r + 11] = 0; /* reserved */
        }
        if (memcmp(buf + r, "ANMF", 4) == 0) {
            if (csize < 16)
                return -1;
            keep(buf, &w, r, 24);
            if (webp_chunks(buf, r + 24, r + 8 + csize, w, &fw, frame, 3) < 0)
                return -1;
            le32_store(buf + w - 20, (uint32_t)(fw - (w - 16)));
            w = fw;
        } else {
            keep(buf, &w, r, total);
        }
        r += total;
    }
    if (w == 12)
        return -1; /* no picture at all */
    le32_store(buf + 4, (uint32_t)(w - 8));
    *out = w;
    return 0;
}

/* ---- GIF --------------------------------------------------------------- */

/* The end of a chain of data sub-blocks starting at p, or 0 if it runs
 * past len. */
static size_t
gif_blocks_end(const uint8_t *buf, size_t len, size_t p)
{
    while (p < len) {
        size_t n = buf[p++];
        if (n == 0)
            return p;
        if (n > len - p)
            return 0;
        p += n;
    }
    return 0;
}

static size_t
gif_table(uint8_t flags)
{
    return (flags & 0x80) ? 3u * ((size_t)2 << (flags & 7)) : 0;
}

/*
 * Keeps the header, the colour tables, every image (descriptor and LZW
 * data), the graphic control extension (transparency, frame delay) and the
 * NETSCAPE2.0 / ANIMEXTS1.0 loop count, each of these two written back as
 * its fixed first sub-block alone. Comments, plain text (which browsers do
 * not draw), XMP, ICC and every other application extension go.
 */
static int
strip_gif(uint8_t *buf, size_t len, size_t *out)
{
    size_t r, w, e;

    if (len < 13 ||
        (memcmp(buf, "GIF87a", 6) != 0 && memcmp(buf, "GIF89a", 6) != 0))
        return -1;
    r = 13 + gif_table(buf[10]);
    if (r > len)
        return -1;
    w = r;
    while (r < len) {
        uint8_t b = buf[r];

        if (b == 0x3b) {
            buf[w++] = 0x3b;
            *out = w;
            return 0;
        }
        if (b == 0x2c) {
            size_t p;

            if (len - r < 11)
                return -1;
            p = r + 10 + gif_table(buf[r + 9]);
            if (p >= len)
                return -1;
            e = gif_blocks_end(buf, len, p + 1); /* after LZW code size */
            if (e == 0)
                return -1;
            keep(buf, &w, r, e - r);
            r = e;
        } else if (b == 0x21) {
            uint8_t label;
            size_t first = 0; /* bytes of the kept form, 0: drop */

            if (len - r < 3)
                return -1;
            label = buf[r + 1];
            e = gif_blocks_end(buf, len, r + 2);
            if (e == 0)
                return -1;
            if (label == 0xf9 && buf[r + 2] == 4 && e - r >= 8)
                first = 7; /* 21 f9 04 flags delay(2) index */
            else if (label == 0xff && buf[r + 2] == 11 && e - r >= 19 &&
                     (memcmp(buf + r + 3, "NETSCAPE2.0", 11) == 0 ||
                      memcmp(buf + r + 3, "ANIMEXTS1.0", 11) == 0) &&
                     buf[r + 14] == 3 && buf[r + 15] == 1)
                first = 18; /* 21 ff 0b NAME 03 01 count(2) */
            if (first) {
                keep(buf, &w, r, first);
                buf[w++] = 0; /* block terminator */
            }
            r = e;
        } else {
            return -1;
        }
    }
    return -1; /* no trailer */
}

int
imgmeta_strip(uint8_t *buf, size_t *len, const char *type)
{
    size_t n = 0;
    int rc = -1;

    if (buf == NULL || len == NULL || type == NULL)
        return -1;
    if (strcmp(type, "image/jpeg") == 0)
        rc = strip_jpeg(buf, *len, &n);
    else if (strcmp(type, "image/png") == 0)
        rc = strip_png(buf, *len, &n);
    else if (strcmp(type, "image/webp") == 0)
        rc = strip_webp(buf, *len, &n);
    else if (strcmp(type, "image/gif") == 0)
        rc = strip_gif(buf, *len, &n);
    if (rc != 0)
        return -1;
    memset(buf + n, 0, *len - n);
    *len = n;
    return 0;
}

const char *
imgmeta_type(const uint8_t *p, size_t n)
{
    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "image/jpeg";
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return "image/gif";
    if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return "image/webp";
    return NULL;
}
