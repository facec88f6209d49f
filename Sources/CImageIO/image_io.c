#include "pxo_image.h"
#include <stdio.h>  /* before jpeglib.h, which uses FILE */
#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>
#include <webp/decode.h>
#include <stdlib.h>
#include <string.h>

#define PXO_ERROR_SIZE 256

void pxo_free(void *pointer) { free(pointer); }

int pxo_png_read(const char *path, int *width, int *height, int *channels, int *bytes_per_sample,
                 void **pixels, char *error) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, path)) {
        snprintf(error, PXO_ERROR_SIZE, "%s", image.message);
        return -1;
    }
    int color = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
    int sixteen = (image.format & PNG_FORMAT_FLAG_LINEAR) != 0;
    image.format = color ? (sixteen ? PNG_FORMAT_LINEAR_RGB : PNG_FORMAT_RGB)
                         : (sixteen ? PNG_FORMAT_LINEAR_Y : PNG_FORMAT_GRAY);
    size_t size = PNG_IMAGE_SIZE(image);
    void *buffer = malloc(size);
    if (buffer == NULL) {
        png_image_free(&image);
        snprintf(error, PXO_ERROR_SIZE, "out of memory (%zu bytes)", size);
        return -1;
    }
    if (!png_image_finish_read(&image, NULL, buffer, 0, NULL)) {
        snprintf(error, PXO_ERROR_SIZE, "%s", image.message);
        free(buffer);
        return -1;
    }
    *width = (int)image.width;
    *height = (int)image.height;
    *channels = color ? 3 : 1;
    *bytes_per_sample = sixteen ? 2 : 1;
    *pixels = buffer;
    return 0;
}

// The libpng description of an 8-bit RGB (3 channels) or gray image.
static png_image pxo_png_image(int width, int height, int channels) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    image.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    return image;
}

int pxo_png_write(const char *path, int width, int height, int channels, const uint8_t *pixels, char *error) {
    png_image image = pxo_png_image(width, height, channels);
    if (!png_image_write_to_file(&image, path, 0, pixels, 0, NULL)) {
        snprintf(error, PXO_ERROR_SIZE, "%s", image.message);
        return -1;
    }
    return 0;
}

int pxo_png_encode(int width, int height, int channels, const uint8_t *pixels, uint8_t **out, size_t *size, char *error) {
    png_image image = pxo_png_image(width, height, channels);
    png_alloc_size_t bytes = 0;
    if (!png_image_write_to_memory(&image, NULL, &bytes, 0, pixels, 0, NULL)) {
        snprintf(error, PXO_ERROR_SIZE, "%s", image.message);
        return -1;
    }
    uint8_t *buffer = malloc(bytes);
    if (!buffer) {
        snprintf(error, PXO_ERROR_SIZE, "out of memory for a %zu-byte PNG", (size_t)bytes);
        return -1;
    }
    if (!png_image_write_to_memory(&image, buffer, &bytes, 0, pixels, 0, NULL)) {
        snprintf(error, PXO_ERROR_SIZE, "%s", image.message);
        free(buffer);
        return -1;
    }
    *out = buffer;
    *size = (size_t)bytes;
    return 0;
}

struct pxo_jpeg_error {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char *message;
};

static void pxo_jpeg_error_exit(j_common_ptr info) {
    struct pxo_jpeg_error *error = (struct pxo_jpeg_error *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

static void pxo_jpeg_silent(j_common_ptr info, int level) { (void)info; (void)level; }

int pxo_jpeg_read(const char *path, int *width, int *height, int *channels, uint8_t **pixels, char *error) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        snprintf(error, PXO_ERROR_SIZE, "cannot open file");
        return -1;
    }
    struct jpeg_decompress_struct info;
    struct pxo_jpeg_error failure;
    uint8_t *volatile buffer = NULL;
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = pxo_jpeg_error_exit;
    failure.manager.emit_message = pxo_jpeg_silent;
    failure.message = error;
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&info);
        fclose(file);
        free(buffer);
        return -1;
    }
    jpeg_create_decompress(&info);
    jpeg_stdio_src(&info, file);
    jpeg_read_header(&info, TRUE);
    if (info.num_components != 1) info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * (size_t)info.output_components;
    buffer = malloc(stride * info.output_height);
    if (buffer == NULL) {
        snprintf(error, PXO_ERROR_SIZE, "out of memory");
        jpeg_destroy_decompress(&info);
        fclose(file);
        return -1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = buffer + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    *channels = info.output_components;
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    fclose(file);
    *pixels = buffer;
    return 0;
}

int pxo_webp_read(const char *path, int *width, int *height, uint8_t **pixels, char *error) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        snprintf(error, PXO_ERROR_SIZE, "cannot open file");
        return -1;
    }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *data = size > 0 ? malloc((size_t)size) : NULL;
    if (data == NULL || fread(data, 1, (size_t)size, file) != (size_t)size) {
        snprintf(error, PXO_ERROR_SIZE, "cannot read file");
        free(data);
        fclose(file);
        return -1;
    }
    fclose(file);
    uint8_t *decoded = WebPDecodeRGB(data, (size_t)size, width, height);
    free(data);
    if (decoded == NULL) {
        snprintf(error, PXO_ERROR_SIZE, "not a valid WebP image (truncated or corrupt)");
        return -1;
    }
    size_t bytes = (size_t)(*width) * (size_t)(*height) * 3;
    *pixels = malloc(bytes);
    if (*pixels == NULL) {
        WebPFree(decoded);
        snprintf(error, PXO_ERROR_SIZE, "out of memory");
        return -1;
    }
    memcpy(*pixels, decoded, bytes);
    WebPFree(decoded);
    return 0;
}
