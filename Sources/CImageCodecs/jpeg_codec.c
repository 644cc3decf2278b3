#include "image_codecs.h"
#include <stdio.h>
#include <jpeglib.h>
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  struct jpeg_error_mgr mgr;
  jmp_buf jmp;
  char *err;
  size_t errlen;
} hi_jpeg_err;

static void hi_jpeg_error_exit(j_common_ptr cinfo) {
  hi_jpeg_err *e = (hi_jpeg_err *)cinfo->err;
  char msg[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, msg);
  snprintf(e->err, e->errlen, "%s", msg);
  longjmp(e->jmp, 1);
}

/// Corrupt-data warnings (e.g. premature end of data) are errors for us: a truncated file must not
/// decode silently into grey padding.
static void hi_jpeg_emit(j_common_ptr cinfo, int level) {
  if (level < 0) hi_jpeg_error_exit(cinfo);
}

int hi_jpeg_read(const char *path, hi_image *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) { snprintf(err, errlen, "cannot open file"); return 1; }
  struct jpeg_decompress_struct cinfo;
  hi_jpeg_err jerr = {.err = err, .errlen = errlen};
  cinfo.err = jpeg_std_error(&jerr.mgr);
  jerr.mgr.error_exit = hi_jpeg_error_exit;
  jerr.mgr.emit_message = hi_jpeg_emit;
  if (setjmp(jerr.jmp)) {
    jpeg_destroy_decompress(&cinfo);
    hi_image_free(out);
    fclose(f);
    return 1;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, f);
  jpeg_read_header(&cinfo, TRUE);
  if ((uint64_t)cinfo.image_width * cinfo.image_height > HI_IMAGE_MAX_PIXELS) {
    snprintf(err, errlen, "%u x %u pixels, more than the %d this reader accepts", cinfo.image_width, cinfo.image_height,
             HI_IMAGE_MAX_PIXELS);
    longjmp(jerr.jmp, 1);
  }
  cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  out->width = (int)cinfo.output_width;
  out->height = (int)cinfo.output_height;
  out->channels = cinfo.output_components;
  out->bits = 8;
  size_t stride = (size_t)out->width * out->channels;
  out->data8 = malloc(stride * out->height + 1);
  if (!out->data8) { snprintf(err, errlen, "out of memory"); longjmp(jerr.jmp, 1); }
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out->data8 + stride * cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  fclose(f);
  return 0;
}

int hi_jpeg_write(const char *path, const uint8_t *data, int width, int height, int channels, int quality,
                  char *err, size_t errlen) {
  if (channels != 1 && channels != 3) { snprintf(err, errlen, "JPEG needs 1 or 3 channels, got %d", channels); return 1; }
  FILE *f = fopen(path, "wb");
  if (!f) { snprintf(err, errlen, "cannot create file: %s", strerror(errno)); return 1; }
  errno = 0;
  struct jpeg_compress_struct cinfo;
  hi_jpeg_err jerr = {.err = err, .errlen = errlen};
  cinfo.err = jpeg_std_error(&jerr.mgr);
  jerr.mgr.error_exit = hi_jpeg_error_exit;
  if (setjmp(jerr.jmp)) {
    const int e = ferror(f) ? errno : 0;  /* a failed fwrite (disk full, I/O error) leaves its reason in errno */
    jpeg_destroy_compress(&cinfo);
    fclose(f);
    if (e != 0) snprintf(err, errlen, "%s", strerror(e));
    return 1;
  }
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, f);
  cinfo.image_width = (JDIMENSION)width;
  cinfo.image_height = (JDIMENSION)height;
  cinfo.input_components = channels;
  cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  size_t stride = (size_t)width * channels;
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = (JSAMPROW)(data + stride * cinfo.next_scanline);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  if (fclose(f) != 0) { snprintf(err, errlen, "write failed: %s", strerror(errno)); return 1; }
  return 0;
}
