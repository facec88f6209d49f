#ifndef PIXELOOD_IMAGE_H
#define PIXELOOD_IMAGE_H
// PNG, JPEG and WebP through libpng's simplified API and libjpeg, with their error handling
// (libjpeg's longjmp) kept inside C: every function returns 0 on success or -1 with a
// message in `error` (at least 256 bytes). Pixel buffers are malloc'ed; free with pxo_free.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Decodes a PNG: 8-bit files as 8-bit samples, 16-bit files as 16-bit samples (native
/// endianness, no gamma conversion), gray (1 channel) or RGB (3; palettes and alpha are
/// converted). `*pixels` holds height*width*channels samples of `*bytes_per_sample` bytes.
int pxo_png_read(const char *path, int *width, int *height, int *channels, int *bytes_per_sample,
                 void **pixels, char *error);
/// Writes an 8-bit gray (channels 1) or RGB (3) PNG.
int pxo_png_write(const char *path, int width, int height, int channels, const uint8_t *pixels, char *error);
// Encodes an 8-bit RGB (3) or gray (1) image as PNG into a malloc'ed buffer (*out, *size).
int pxo_png_encode(int width, int height, int channels, const uint8_t *pixels, uint8_t **out, size_t *size, char *error);
/// Decodes a JPEG to 8-bit RGB (or gray when `*channels` comes back 1).
int pxo_jpeg_read(const char *path, int *width, int *height, int *channels, uint8_t **pixels, char *error);
/// Decodes a WebP (lossy or lossless) to 8-bit RGB.
int pxo_webp_read(const char *path, int *width, int *height, uint8_t **pixels, char *error);
/// Frees a buffer returned by the readers.
void pxo_free(void *pointer);

#ifdef __cplusplus
}
#endif
#endif
