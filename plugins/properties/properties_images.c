/* properties_images.so: the type of a file (libmagic), header reading and
 * resized variants (libvips)
 * (see properties_images.h for why this is a module of its own). */
#include <magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <vips/vips.h>
#include "properties_images.h"

static bool ready;
static char msg[256];

static const char *
fail(void)
{
    snprintf(msg, sizeof(msg), "%s", vips_error_buffer());
    vips_error_clear();
    return msg[0] ? msg : "libvips failed";
}

static const char *
start(void)
{
    if (!ready) {
        if (VIPS_INIT("tesoro") != 0) {
            return fail();
        }
        vips_concurrency_set(1);
        vips_cache_set_max(0);
        ready = true;
    }
    return NULL;
}

static const char *
dims(const char *path, const void *data, size_t size, int *w, int *h)
{
    const char *err = start();
    if (err != NULL) {
        return err;
    }
    VipsImage *img = path
        ? vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL)
        : vips_image_new_from_buffer(data, size, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (img == NULL) {
        return fail();
    }
    *w = vips_image_get_width(img);
    *h = vips_image_get_height(img);
    g_object_unref(img);
    return NULL;
}

static const char *
variants(const char *path, const void *data, size_t size, const char *const *outs,
         const int *sizes, int n)
{
    const char *err = start();
    /* The largest variant (the last) comes from the upload, decoded once and
     * shrunk while loading; the smaller ones from that JPEG, which is quick. */
    for (int i = n - 1; err == NULL && i >= 0; i--) {
        VipsImage *out = NULL;
        const char *src = i < n - 1 ? outs[n - 1] : path;
        /* thumbnail applies the EXIF orientation and shrinks while loading. */
        int rc = src
            ? vips_thumbnail(src, &out, sizes[i], "height", sizes[i], "size", VIPS_SIZE_DOWN,
                             NULL)
            : vips_thumbnail_buffer((void *) data, size, &out, sizes[i], "height", sizes[i],
                                    "size", VIPS_SIZE_DOWN, NULL);
        if (rc == 0) {
            VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
            rc = vips_jpegsave(out, outs[i], "Q", 82, "strip", TRUE, "optimize_coding", TRUE,
                               "background", white, NULL);
            vips_area_unref(VIPS_AREA(white));
        }
        if (out != NULL) {
            g_object_unref(out);
        }
        if (rc != 0) {
            err = fail();
        }
    }
    return err;
}

static const char *
mime(const char *path, const void *data, size_t size)
{
    static magic_t magic;
    if (magic == NULL) {
        magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
        if (magic == NULL || magic_load(magic, NULL) != 0) {
            if (magic != NULL) {
                magic_close(magic);
            }
            magic = NULL;
            return NULL;
        }
    }
    return path ? magic_file(magic, path) : magic_buffer(magic, data, size);
}

__attribute__((visibility("default"))) const properties_images_t properties_images = {
    PROPERTIES_IMAGES_ABI, mime, dims, variants
};
