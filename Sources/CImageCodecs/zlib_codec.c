#include "image_codecs.h"
#include <zlib.h>

size_t hi_deflate_bound(size_t n) { return compressBound((uLong)n); }

int hi_deflate(const uint8_t *src, size_t n, uint8_t *dst, size_t *dstlen) {
  uLongf len = (uLongf)*dstlen;
  int rc = compress2(dst, &len, src, (uLong)n, Z_BEST_COMPRESSION);
  *dstlen = len;
  return rc == Z_OK ? 0 : 1;
}

int hi_inflate(const uint8_t *src, size_t n, uint8_t *dst, size_t dstlen) {
  uLongf len = (uLongf)dstlen;
  int rc = uncompress(dst, &len, src, (uLong)n);
  return rc == Z_OK && len == dstlen ? 0 : 1;
}

uint32_t hi_crc32(const uint8_t *data, size_t n) { return (uint32_t)crc32(0L, data, (uInt)n); }
