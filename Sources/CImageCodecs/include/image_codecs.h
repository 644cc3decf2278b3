// Thin C wrappers over libpng, libjpeg(-turbo) and zlib. libpng and libjpeg report errors by longjmp, which
// must not cross Swift frames, so every call is wrapped here with setjmp; failures return non-zero
// with a message in `err`.
#ifndef HYPERINR_IMAGE_CODECS_H
#define HYPERINR_IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The most pixels (width x height) a reader accepts: 2^26, NeuralFields.Limits.pixels; a header that
/// declares more is refused before anything is allocated.
#define HI_IMAGE_MAX_PIXELS (1 << 26)

/// Decoded pixels: height x width x channels samples, row-major; 8-bit samples when bits == 8 (data8),
/// 16-bit when bits == 16 (data16). Free with hi_image_free.
typedef struct {
  int width, height, channels, bits;
  uint8_t *data8;
  uint16_t *data16;
} hi_image;

void hi_image_free(hi_image *img);

/// Any PNG colour type and bit depth: palettes and low bit depths expand to 8 bits, tRNS becomes an alpha
/// channel, 16-bit stays 16-bit. Channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
int hi_png_read(const char *path, hi_image *out, char *err, size_t errlen);
/// Writes 8-bit samples (channels 1-4) as PNG.
int hi_png_write(const char *path, const uint8_t *data, int width, int height, int channels, char *err, size_t errlen);
/// Baseline and progressive JPEG to 8-bit gray (1 channel) or RGB (3 channels).
int hi_jpeg_read(const char *path, hi_image *out, char *err, size_t errlen);
/// Writes 8-bit gray or RGB samples as baseline JPEG with 4:2:0 chroma subsampling at `quality` (1-100).
int hi_jpeg_write(const char *path, const uint8_t *data, int width, int height, int channels, int quality,
                  char *err, size_t errlen);

/// zlib (deflate) of n bytes at the best compression level; dstlen in: capacity (>= hi_deflate_bound(n)),
/// out: size. Returns 0 on success.
size_t hi_deflate_bound(size_t n);
int hi_deflate(const uint8_t *src, size_t n, uint8_t *dst, size_t *dstlen);
/// Inflates into exactly dstlen bytes; returns 0 on success (non-zero on corrupt or wrong-size data).
int hi_inflate(const uint8_t *src, size_t n, uint8_t *dst, size_t dstlen);
/// CRC-32 (IEEE 802.3, zlib's crc32).
uint32_t hi_crc32(const uint8_t *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif
