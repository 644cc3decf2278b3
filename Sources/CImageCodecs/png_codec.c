#include "image_codecs.h"
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hi_image_free(hi_image *img) {
  free(img->data8);
  free(img->data16);
  img->data8 = NULL;
  img->data16 = NULL;
}

typedef struct {
  jmp_buf jmp;
  char *err;
  size_t errlen;
} hi_png_ctx;

static void hi_png_error(png_structp png, png_const_charp msg) {
  hi_png_ctx *ctx = (hi_png_ctx *)png_get_error_ptr(png);
  snprintf(ctx->err, ctx->errlen, "%s", msg);
  longjmp(ctx->jmp, 1);
}

static void hi_png_warning(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

int hi_png_read(const char *path, hi_image *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) { snprintf(err, errlen, "cannot open file"); return 1; }
  unsigned char sig[8];
  if (fread(sig, 1, 8, f) != 8 || png_sig_cmp(sig, 0, 8) != 0) {
    fclose(f);
    snprintf(err, errlen, "not a PNG file (bad signature)");
    return 1;
  }
  hi_png_ctx ctx = {.err = err, .errlen = errlen};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, hi_png_error, hi_png_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    snprintf(err, errlen, "out of memory");
    return 1;
  }
  png_bytep *volatile rows = NULL; /* volatile: it changes after setjmp and is freed after a longjmp */
  if (setjmp(ctx.jmp)) {
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    hi_image_free(out);
    fclose(f);
    return 1;
  }
  png_init_io(png, f);
  png_set_sig_bytes(png, 8);
  png_set_user_limits(png, 1 << 16, 1 << 16);
  png_read_info(png, info);
  if ((uint64_t)png_get_image_width(png, info) * png_get_image_height(png, info) > HI_IMAGE_MAX_PIXELS) {
    snprintf(err, errlen, "%u x %u pixels, more than the %d this reader accepts", png_get_image_width(png, info),
             png_get_image_height(png, info), HI_IMAGE_MAX_PIXELS);
    longjmp(ctx.jmp, 1);
  }
  int color = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (depth == 16) png_set_swap(png);  // host order on little-endian machines
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  out->width = (int)png_get_image_width(png, info);
  out->height = (int)png_get_image_height(png, info);
  out->channels = png_get_channels(png, info);
  out->bits = png_get_bit_depth(png, info);
  size_t rowbytes = png_get_rowbytes(png, info);
  size_t total = rowbytes * (size_t)out->height;
  unsigned char *buf = malloc(total ? total : 1);
  rows = malloc(sizeof(png_bytep) * (size_t)(out->height ? out->height : 1));
  if (!buf || !rows) { free(buf); snprintf(err, errlen, "out of memory"); longjmp(ctx.jmp, 1); }
  if (out->bits == 16) out->data16 = (uint16_t *)buf; else out->data8 = buf;
  for (int y = 0; y < out->height; y++) rows[y] = buf + (size_t)y * rowbytes;
  png_read_image(png, rows);
  png_read_end(png, NULL);
  png_destroy_read_struct(&png, &info, NULL);
  free(rows);
  fclose(f);
  return 0;
}

int hi_png_write(const char *path, const uint8_t *data, int width, int height, int channels, char *err, size_t errlen) {
  static const int types[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA};
  if (channels < 1 || channels > 4) { snprintf(err, errlen, "PNG needs 1-4 channels, got %d", channels); return 1; }
  FILE *f = fopen(path, "wb");
  if (!f) { snprintf(err, errlen, "cannot create file: %s", strerror(errno)); return 1; }
  errno = 0;
  hi_png_ctx ctx = {.err = err, .errlen = errlen};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, hi_png_error, hi_png_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  const int created = png && info;
  if (!created || setjmp(ctx.jmp)) {
    const int e = ferror(f) ? errno : 0;  /* a failed fwrite (disk full, I/O error) leaves its reason in errno */
    png_destroy_write_struct(&png, &info);
    fclose(f);
    if (!created) snprintf(err, errlen, "out of memory");
    else if (e != 0) snprintf(err, errlen, "%s", strerror(e));
    return 1;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, types[channels], PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(data + (size_t)y * width * channels));
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  if (fclose(f) != 0) { snprintf(err, errlen, "write failed: %s", strerror(errno)); return 1; }
  return 0;
}
