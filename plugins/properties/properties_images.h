/* The file-type and image stack (libmagic, libvips) behind one small table
 * of functions. It lives in its own module, properties_images.so, loaded by
 * the first upload of a worker: the master, the CLI and workers that never
 * see a file do not map these libraries and the hundred they bring. */
#ifndef PROPERTIES_IMAGES_H
#define PROPERTIES_IMAGES_H

#include <stddef.h>

#define PROPERTIES_IMAGES_ABI 2

typedef struct {
    unsigned abi;
    /* The MIME type from the content (libmagic), or NULL. */
    const char *(*mime)(const char *path, const void *data, size_t size);
    /* Width and height from the header alone; 0 or an error message. An
     * image is a file (path) or bytes (data, size). */
    const char *(*dims)(const char *path, const void *data, size_t size, int *w, int *h);
    /* JPEG variants no larger than sizes[i] on their long side, EXIF
     * orientation applied, metadata dropped, alpha on white. */
    const char *(*variants)(const char *path, const void *data, size_t size,
                            const char *const *outs, const int *sizes, int n);
} properties_images_t;

#endif
