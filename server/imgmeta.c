/* imgmeta: strip metadata from images in place (see imgmeta.h). */
#include "imgmeta.h"

#include <string.h>

static uint32_t
be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static uint32_t
le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
           p[0];
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

static int
jpeg_drop(uint8_t m)
{
    /* APP1..APP13, APP15 and COM; APP0 (JFIF) and APP14 (Adobe) stay. */
    return (m >= 0xe1 && m <= 0xed) || m == 0xef || m == 0xfe;
}

static int
strip_jpeg(uint8_t *buf, size_t len, size_t *out)
{
    size_t r = 2, w = 2;

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
            buf[w++] = 0xff;
            buf[w++] = m;
            continue;
        }
        if (len - r < 2)
            return -1;
        seg = (size_t)buf[r] << 8 | buf[r + 1];
        if (seg < 2 || seg > len - r)
            return -1;
        if (!jpeg_drop(m)) {
            buf[w++] = 0xff;
            buf[w++] = m;
            keep(buf, &w, r, seg);
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

static int
png_drop(const uint8_t *type)
{
    static const char *const drop[] = {"tEXt", "zTXt", "iTXt",
                                       "eXIf", "tIME", "iCCP"};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        if (memcmp(type, drop[i], 4) == 0)
            return 1;
    return 0;
}

static int
strip_png(uint8_t *buf, size_t len, size_t *out)
{
    size_t r = 8, w = 8;

    if (len < 8 || memcmp(buf, "\x89PNG\r\n\x1a\n", 8) != 0)
        return -1;
    while (len - r >= 12) {
        uint32_t clen = be32(buf + r);
        size_t total;
        int end;

        if (clen > 0x7fffffffu || clen > len - r - 12)
            return -1;
        total = 12 + (size_t)clen;
        end = memcmp(buf + r + 4, "IEND", 4) == 0;
        if (!png_drop(buf + r + 4))
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

static int
strip_webp(uint8_t *buf, size_t len, size_t *out)
{
    size_t r = 12, w = 12, end, vp8x = 0;
    int have_vp8x = 0;
    uint32_t riff;

    if (len < 12 || memcmp(buf, "RIFF", 4) != 0 ||
        memcmp(buf + 8, "WEBP", 4) != 0)
        return -1;
    riff = le32(buf + 4);
    if (riff < 4 || riff > len - 8)
        return -1;
    end = 8 + (size_t)riff;
    while (end - r >= 8) {
        uint32_t csize = le32(buf + r + 4);
        size_t total;
        const uint8_t *cc = buf + r;

        if (csize > end - r - 8)
            return -1;
        total = 8 + (size_t)csize + (csize & 1u);
        if (total > end - r)
            return -1;
        if (memcmp(cc, "EXIF", 4) == 0 || memcmp(cc, "XMP ", 4) == 0 ||
            memcmp(cc, "ICCP", 4) == 0) {
            r += total;
            continue;
        }
        if (memcmp(cc, "VP8X", 4) == 0 && csize >= 1) {
            vp8x = w;
            have_vp8x = 1;
        }
        keep(buf, &w, r, total);
        r += total;
    }
    if (r != end)
        return -1;
    if (have_vp8x) /* ICC (0x20), EXIF (0x08), XMP (0x04) are gone */
        buf[vp8x + 8] &= (uint8_t)~0x2cu;
    riff = (uint32_t)(w - 8);
    buf[4] = (uint8_t)riff;
    buf[5] = (uint8_t)(riff >> 8);
    buf[6] = (uint8_t)(riff >> 16);
    buf[7] = (uint8_t)(riff >> 24);
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
            int drop = 0;

            if (len - r < 3)
                return -1;
            label = buf[r + 1];
            e = gif_blocks_end(buf, len, r + 2);
            if (e == 0)
                return -1;
            if (label == 0xfe)
                drop = 1;
            else if (label == 0xff)
                drop = !(buf[r + 2] == 11 && len - r >= 14 &&
                         (memcmp(buf + r + 3, "NETSCAPE2.0", 11) == 0 ||
                          memcmp(buf + r + 3, "ANIMEXTS1.0", 11) == 0));
            if (!drop)
                keep(buf, &w, r, e - r);
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
