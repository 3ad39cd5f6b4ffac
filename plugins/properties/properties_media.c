/* Media of a property: photo upload (type by content with libmagic; JPEG,
 * PNG and WebP only; a size cap; a pixel-count cap read from the header
 * before anything is decoded; EXIF orientation applied and metadata dropped
 * while libvips writes the resized JPEG variants), PDF documents, video and
 * virtual-tour links, order, main photo, captions per language, the
 * floor-plan tag, and serving through nginx after the access check. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dlfcn.h>
#include "properties.h"
#include "properties_images.h"

#define MAX_PHOTO_BYTES  (25u << 20)
#define MAX_DOC_BYTES    (25u << 20)
#define MAX_PIXELS       (50LL * 1000 * 1000)
#define MAX_SIDE         20000

static const struct { const char *name; int size; } variants[] = {
    { "thumb", 320 }, { "medium", 960 }, { "large", 1920 },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

/* properties_images.so, opened once per worker at the first photo. */
static const properties_images_t *
images(void)
{
    static const properties_images_t *api;
    if (api == NULL) {
        const char *path = properties_module_path("properties_images.so");
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        const properties_images_t *t = h ? dlsym(h, "properties_images") : NULL;
        if (t == NULL || t->abi != PROPERTIES_IMAGES_ABI) {
            ts_log_error("cannot load %s: %s", path, h ? "wrong module" : dlerror());
            return NULL;
        }
        api = t;
    }
    return api;
}

static const char *
rel_path(ts_request_t *r, const char *name, const char *variant)
{
    return ts_psprintf(r->pool, "%lld/%.2s/%s_%s", (long long) r->tenant->id, name, name, variant);
}

static const char *
abs_path(ts_request_t *r, const char *rel)
{
    return ts_psprintf(r->pool, "%s/%s", ts_storage_dir(), rel);
}

static int
make_dirs(ts_request_t *r, const char *name)
{
    const char *a = ts_psprintf(r->pool, "%s/%lld", ts_storage_dir(), (long long) r->tenant->id);
    const char *b = ts_psprintf(r->pool, "%s/%.2s", a, name);
    if ((mkdir(ts_storage_dir(), 0750) != 0 && errno != EEXIST)
        || (mkdir(a, 0750) != 0 && errno != EEXIST) || (mkdir(b, 0750) != 0 && errno != EEXIST)) {
        ts_log_error("storage: cannot create %s: %s", b, strerror(errno));
        return TS_ERROR;
    }
    return TS_OK;
}

void
properties_media_remove_files(ts_request_t *r, const cJSON *names)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, names) {
        for (size_t i = 0; i < NVARIANTS; i++) {
            unlink(abs_path(r, rel_path(r, e->valuestring, variants[i].name)));
        }
        unlink(abs_path(r, rel_path(r, e->valuestring, "doc")));
    }
}

/* The displayed name: the last path segment, printable characters only. */
static const char *
clean_name(ts_request_t *r, const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    const char *base = name;
    for (const char *p = name; *p; p++) {
        if (*p == '/' || *p == '\\') {
            base = p + 1;
        }
    }
    char *out = ts_pstrndup(r->pool, base, 200);
    for (char *p = out; *p; p++) {
        if ((unsigned char) *p < 0x20 || *p == 0x7f || *p == '"') {
            *p = '_';
        }
    }
    return *out && strcmp(out, ".") != 0 && strcmp(out, "..") != 0 ? out : NULL;
}

typedef struct {
    int width, height;
} dims_t;

/* Reads only the header: a 100000 x 100000 PNG of a few kilobytes is refused
 * here, before a single pixel is decoded. */
static const char *
check_pixels(const properties_images_t *im, const ts_part_t *part, dims_t *d)
{
    const char *err = im->dims(part->path, part->data, part->size, &d->width, &d->height);
    if (err != NULL) {
        ts_log_info("not an image: %s", err);
        return "not a readable image";
    }
    if (d->width <= 0 || d->height <= 0 || d->width > MAX_SIDE || d->height > MAX_SIDE
        || (long long) d->width * d->height > MAX_PIXELS) {
        return "the image has too many pixels (at most 50 megapixels, 20000 per side)";
    }
    return NULL;
}

static int
write_variants(ts_request_t *r, const properties_images_t *im, const ts_part_t *part,
               const char *name)
{
    const char *outs[NVARIANTS];
    int sizes[NVARIANTS];
    for (size_t i = 0; i < NVARIANTS; i++) {
        outs[i] = abs_path(r, rel_path(r, name, variants[i].name));
        sizes[i] = variants[i].size;
    }
    const char *err = im->variants(part->path, part->data, part->size, outs, sizes,
                                   (int) NVARIANTS);
    if (err != NULL) {
        ts_log_warn("libvips: %s", err);
        return TS_DECLINED;
    }
    return TS_OK;
}

static int
write_copy(ts_request_t *r, const ts_part_t *part, const char *name)
{
    const char *dst = abs_path(r, rel_path(r, name, "doc"));
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0640);
    if (out < 0) {
        return TS_ERROR;
    }
    int rc = TS_OK;
    if (part->path == NULL) {
        rc = write(out, part->data, part->size) == (ssize_t) part->size ? TS_OK : TS_ERROR;
    } else {
        int in = open(part->path, O_RDONLY);
        char buf[65536];
        ssize_t n;
        rc = in < 0 ? TS_ERROR : TS_OK;
        while (rc == TS_OK && (n = read(in, buf, sizeof(buf))) > 0) {
            rc = write(out, buf, (size_t) n) == n ? TS_OK : TS_ERROR;
        }
        if (in >= 0) {
            close(in);
        }
    }
    close(out);
    if (rc != TS_OK) {
        unlink(dst);
    }
    return rc;
}

/* A photo from a file (a feed's, fetched by properties_photo_fetch.c) through the checks of
 * an upload: JPEG, PNG or WebP by content, the pixel cap read from the header, then the
 * variants under a new random name. NULL, or why the file was refused. */
const char *
properties_photo_store(ts_request_t *r, const char *path, size_t size, char name[33],
                       int *width, int *height)
{
    const properties_images_t *im = images();
    const char *mime = im ? im->mime(path, NULL, 0) : NULL;
    if (mime == NULL) {
        return "the image libraries cannot be loaded";
    }
    if (strcmp(mime, "image/jpeg") != 0 && strcmp(mime, "image/png") != 0
        && strcmp(mime, "image/webp") != 0) {
        return ts_psprintf(r->pool, "the file is %s; photos are JPEG, PNG or WebP", mime);
    }
    if (size > MAX_PHOTO_BYTES) {
        return "the file is larger than 25 MB";
    }
    ts_part_t part = { .path = path, .size = size };
    dims_t d = { 0, 0 };
    const char *err = check_pixels(im, &part, &d);
    if (err != NULL) {
        return err;
    }
    unsigned char raw[16];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(name, 33, raw, sizeof(raw));
    if (make_dirs(r, name) != TS_OK) {
        return "cannot create the storage directory";
    }
    if (write_variants(r, im, &part, name) != TS_OK) {
        cJSON *names = cJSON_CreateArray();
        cJSON_AddItemToArray(names, cJSON_CreateString(name));
        properties_media_remove_files(r, names);
        cJSON_Delete(names);
        return "the image cannot be decoded";
    }
    *width = d.width;
    *height = d.height;
    return NULL;
}

/* One row as JSON, with the file's URLs under `base`: variants of a photo,
 * the download of a document. */
cJSON *
properties_media_item(ts_request_t *r, const ts_db_result_t *res, size_t i, const char *base)
{
    cJSON *o = ts_db_row_json(r, res, i);
    for (const char *const *b = (const char *const[]) { "is_main", "is_floor_plan", NULL }; *b; b++) {
        if (cJSON_GetObjectItemCaseSensitive(o, *b) != NULL) {
            cJSON_ReplaceItemInObjectCaseSensitive(o, *b,
                cJSON_CreateBool(ts_db_get_int(res, i, *b) != 0));
        }
    }
    const char *caps = ts_db_get(res, i, "captions");
    cJSON *c = caps ? cJSON_Parse(caps) : NULL;
    cJSON_ReplaceItemInObjectCaseSensitive(o, "captions", c ? c : cJSON_CreateObject());
    const char *kind = ts_db_get(res, i, "kind");
    if (strcmp(kind, "photo") == 0) {
        cJSON *v = cJSON_AddObjectToObject(o, "variants");
        for (size_t k = 0; k < NVARIANTS; k++) {
            cJSON_AddStringToObject(v, variants[k].name,
                                    ts_psprintf(r->pool, "%s?variant=%s", base, variants[k].name));
        }
    } else if (strcmp(kind, "document") == 0) {
        cJSON_AddStringToObject(o, "download", base);
    }
    return o;
}

static cJSON *
media_item(ts_request_t *r, const ts_db_result_t *res, size_t i)
{
    return properties_media_item(r, res, i, ts_psprintf(r->pool,
                                 "/api/v1/properties/%s/media/%s/file",
                                 ts_db_get(res, i, "property_id"), ts_db_get(res, i, "id")));
}

#define MEDIA_COLS "id, property_id, kind, is_main, is_floor_plan, position, mime, size, width," \
                   " height, original_name, url, source_url, fetch_state, fetch_error, captions," \
                   " created_at"

int
properties_media_json(ts_request_t *r, int64_t id, cJSON *o)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT " MEDIA_COLS " FROM property_media WHERE"
                                         " tenant_id = {tenant} AND property_id = ? AND"
                                         " deleted_at IS NULL ORDER BY kind, is_main DESC,"
                                         " position, id", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = cJSON_AddArrayToObject(o, "media");
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON_AddItemToArray(a, media_item(r, res, i));
    }
    return TS_OK;
}

static cJSON *
one_media(ts_request_t *r, int64_t mid)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT " MEDIA_COLS " FROM property_media WHERE"
                                         " tenant_id = {tenant} AND id = ?", "i", mid);
    return ts_db_rows(res) == 1 ? media_item(r, res, 0) : NULL;
}

static int
target(ts_request_t *r, bool edit, int64_t *id)
{
    ts_db_result_t *res;
    return properties_target(r, edit, id, &res);
}

static int
media_param(ts_request_t *r, int64_t id, int64_t *mid, ts_db_result_t **res)
{
    if (ts_req_param_id(r, "mid", mid) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such media", NULL);
    }
    *res = ts_db_query(r, "SELECT " MEDIA_COLS ", storage_name FROM property_media WHERE"
                          " tenant_id = {tenant} AND id = ? AND property_id = ? AND"
                          " deleted_at IS NULL", "ii", *mid, id);
    if (*res == NULL) {
        return TS_ERROR;
    }
    return ts_db_rows(*res) == 1 ? TS_OK
                                 : ts_resp_error(r, 404, "not_found", "no such media", NULL);
}

static const char *
captions_input(ts_request_t *r, const cJSON *in, const char *old, const char **out)
{
    *out = old;
    if (in == NULL) {
        return NULL;
    }
    if (!cJSON_IsObject(in) || cJSON_GetArraySize(in) > 20) {
        return "an object {lang: caption}";
    }
    cJSON *merged = old ? cJSON_Parse(old) : NULL;
    if (merged == NULL) {
        merged = cJSON_CreateObject();
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, in) {
        size_t n = strlen(c->string);
        if ((n != 2 && n != 5) || c->string[0] < 'a' || c->string[0] > 'z'
            || (!cJSON_IsNull(c) && (!cJSON_IsString(c) || strlen(c->valuestring) > 500))) {
            cJSON_Delete(merged);
            return "language codes with captions of at most 500 characters (null removes one)";
        }
        cJSON_DeleteItemFromObjectCaseSensitive(merged, c->string);
        if (cJSON_IsString(c) && *c->valuestring) {
            cJSON_AddStringToObject(merged, c->string, c->valuestring);
        }
    }
    char *txt = cJSON_PrintUnformatted(merged);
    cJSON_Delete(merged);
    *out = ts_pstrdup(r->pool, txt);
    cJSON_free(txt);
    return NULL;
}

/* Links (video, virtual tour) arrive as JSON. */
static int
add_link(ts_request_t *r, int64_t id, const cJSON *in)
{
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "kind"));
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "url"));
    cJSON *errors = cJSON_CreateObject();
    if (kind == NULL || (strcmp(kind, "video") != 0 && strcmp(kind, "virtual_tour") != 0)) {
        cJSON_AddStringToObject(errors, "kind", "video or virtual_tour (upload files as multipart)");
    }
    bool ok = url != NULL && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0)
              && strlen(url) <= 1000 && strlen(url) > 10;
    for (const char *p = url; ok && *p; p++) {
        ok = (unsigned char) *p > ' ' && *p != '"' && *p != '<' && *p != '>' && *p != 0x7f;
    }
    if (!ok) {
        cJSON_AddStringToObject(errors, "url", "an http(s) URL of at most 1000 characters");
    }
    const char *caps;
    const char *err = captions_input(r, cJSON_GetObjectItemCaseSensitive(in, "captions"), NULL,
                                     &caps);
    if (err != NULL) {
        cJSON_AddStringToObject(errors, "captions", err);
    }
    if (cJSON_GetArraySize(errors) > 0) {
        return properties_validation_error(r, errors);
    }
    cJSON_Delete(errors);
    if (ts_db_exec(r, "INSERT INTO property_media (tenant_id, property_id, kind, url, captions,"
                      " position, created_by) SELECT {tenant}, ?, ?, ?, ?, COALESCE(MAX(position),"
                      " -1) + 1, ? FROM property_media WHERE tenant_id = {tenant} AND"
                      " property_id = ?", "isssii", id, kind, url, caps, r->user->id, id) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *o = one_media(r, ts_db_insert_id(r));
    return o ? ts_resp_data(r, 201, o) : TS_ERROR;
}

static int
refuse(ts_request_t *r, int status, const char *code, const char *msg)
{
    return ts_resp_error(r, status, code, msg, properties_one_error("file", msg));
}

/* The request's multipart "file" checked and written to storage: kind
 * "photo" or "document" as asked (NULL: told by the content), with the
 * "captions" field. TS_OK with *st filled (the caller inserts the row and
 * removes the files if that fails), or the refusal already answered. */
int
properties_media_store(ts_request_t *r, const char *kind, properties_stored_t *st)
{
    const ts_part_t *part = ts_req_file(r, "file");
    if (part == NULL) {
        return ts_resp_error(r, 400, "bad_multipart", "send the file as the multipart field"
                             " \"file\" (or JSON for links)", properties_one_error("file",
                             "required"));
    }
    if (kind != NULL && strcmp(kind, "photo") != 0 && strcmp(kind, "document") != 0) {
        return properties_validation_error(r, properties_one_error("kind", "photo or document"));
    }
    if (part->size == 0) {
        return refuse(r, 400, "bad_multipart", "the file is empty");
    }
    if (part->size > (kind && strcmp(kind, "document") == 0 ? MAX_DOC_BYTES : MAX_PHOTO_BYTES)) {
        return refuse(r, 413, "body_too_large", "the file is larger than 25 MB");
    }
    /* The content decides, never the name or the part's Content-Type. */
    const properties_images_t *im = images();
    const char *mime = im ? im->mime(part->path, part->data, part->size) : NULL;
    if (mime == NULL) {
        ts_log_error("libmagic cannot tell the type of an upload");
        return TS_ERROR;
    }
    bool image = strcmp(mime, "image/jpeg") == 0 || strcmp(mime, "image/png") == 0
                 || strcmp(mime, "image/webp") == 0;
    bool pdf = strcmp(mime, "application/pdf") == 0;
    if (kind == NULL && !image && !pdf) {
        return refuse(r, 415, "unsupported_media_type", ts_psprintf(r->pool,
                      "the file is %s; files are PDF, JPEG, PNG or WebP", mime));
    }
    if (kind == NULL) {
        kind = pdf ? "document" : "photo";
    }
    bool photo = strcmp(kind, "photo") == 0;
    if (photo ? !image : !pdf) {
        return refuse(r, 415, "unsupported_media_type", ts_psprintf(r->pool,
                      "the file is %s; %s", mime, photo ? "photos are JPEG, PNG or WebP"
                                                        : "documents are PDF"));
    }
    st->captions = NULL;
    const char *cap_text = ts_req_form(r, "captions");
    if (cap_text != NULL && *cap_text) {
        cJSON *c = cJSON_Parse(cap_text);
        const char *err = c ? captions_input(r, c, NULL, &st->captions) : "not JSON";
        cJSON_Delete(c);
        if (err != NULL) {
            return properties_validation_error(r, properties_one_error("captions", err));
        }
    }
    unsigned char raw[16];
    char name[33];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(name, sizeof(name), raw, sizeof(raw));
    dims_t d = { 0, 0 };
    if (make_dirs(r, name) != TS_OK) {
        return TS_ERROR;
    }
    int rc;
    if (photo) {
        const char *err = check_pixels(im, part, &d);
        if (err != NULL) {
            return refuse(r, strstr(err, "pixels") ? 413 : 415,
                          strstr(err, "pixels") ? "image_too_large" : "unsupported_media_type",
                          err);
        }
        rc = write_variants(r, im, part, name);
    } else {
        rc = write_copy(r, part, name);
    }
    if (rc != TS_OK) {
        properties_media_remove_name(r, name);
        return rc == TS_DECLINED ? refuse(r, 415, "unsupported_media_type",
                                          "the image cannot be decoded")
                                 : TS_ERROR;
    }
    st->kind = kind;
    st->name = ts_pstrdup(r->pool, name);
    st->mime = photo ? "image/jpeg" : mime;
    st->size = (int64_t) part->size;
    st->width = d.width;
    st->height = d.height;
    st->original_name = clean_name(r, part->filename);
    return TS_OK;
}

void
properties_media_remove_name(ts_request_t *r, const char *name)
{
    cJSON *names = cJSON_CreateArray();
    cJSON_AddItemToArray(names, cJSON_CreateString(name));
    properties_media_remove_files(r, names);
    cJSON_Delete(names);
}

int
properties_media_add(ts_request_t *r)
{
    int64_t id;
    int rc = target(r, true, &id);
    if (rc != TS_OK) {
        return rc;
    }
    const cJSON *json = ts_req_json(r);
    if (json != NULL) {
        return add_link(r, id, json);
    }
    const char *kind = ts_req_form(r, "kind");
    properties_stored_t st;
    if ((rc = properties_media_store(r, kind && *kind ? kind : "photo", &st)) != TS_OK) {
        return rc;
    }
    bool photo = strcmp(st.kind, "photo") == 0;
    const char *fp = ts_req_form(r, "floor_plan");
    bool floor_plan = fp && (strcmp(fp, "1") == 0 || strcmp(fp, "true") == 0);
    if (ts_db_begin(r) != TS_OK
        || ts_db_exec(r, "INSERT INTO property_media (tenant_id, property_id, kind, is_floor_plan,"
                         " is_main, position, storage_name, mime, size, width, height,"
                         " original_name, captions, created_by)"
                         " SELECT {tenant}, ?, ?, ?, ? AND NOT EXISTS (SELECT 1 FROM property_media"
                         " m WHERE m.tenant_id = {tenant} AND m.property_id = ? AND m.is_main = 1"
                         " AND m.deleted_at IS NULL), COALESCE(MAX(position), -1) + 1, ?, ?, ?, ?,"
                         " ?, ?, ?, ? FROM property_media WHERE tenant_id = {tenant} AND"
                         " property_id = ?",
                      "isiiissiiissii", id, st.kind, (int64_t) floor_plan,
                      (int64_t) (photo && !floor_plan), id, st.name, st.mime, st.size,
                      (int64_t) st.width, (int64_t) st.height, st.original_name, st.captions,
                      r->user->id, id) != TS_OK) {
        ts_db_rollback(r);
        properties_media_remove_name(r, st.name);
        return TS_ERROR;
    }
    int64_t mid = ts_db_insert_id(r);
    if (properties_completeness_update(r, id) != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        properties_media_remove_name(r, st.name);
        return TS_ERROR;
    }
    cJSON *o = one_media(r, mid);
    return o ? ts_resp_data(r, 201, o) : TS_ERROR;
}

int
properties_media_list(ts_request_t *r)
{
    int64_t id;
    int rc = target(r, false, &id);
    if (rc != TS_OK) {
        return rc;
    }
    cJSON *o = cJSON_CreateObject();
    if (properties_media_json(r, id, o) != TS_OK) {
        cJSON_Delete(o);
        return TS_ERROR;
    }
    cJSON *a = cJSON_DetachItemFromObjectCaseSensitive(o, "media");
    cJSON_Delete(o);
    return ts_resp_list(r, a, NULL, cJSON_GetArraySize(a));
}

/* PATCH {"captions": {lang: text|null}, "is_main": true, "is_floor_plan": bool}. */
int
properties_media_patch(ts_request_t *r)
{
    int64_t id, mid;
    ts_db_result_t *res;
    int rc = target(r, true, &id);
    if (rc != TS_OK || (rc = media_param(r, id, &mid, &res)) != TS_OK) {
        return rc;
    }
    const cJSON *in = ts_req_json(r), *j;
    if (!cJSON_IsObject(in)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is required", NULL);
    }
    cJSON *errors = cJSON_CreateObject();
    cJSON_ArrayForEach(j, in) {
        if (strcmp(j->string, "captions") != 0 && strcmp(j->string, "is_main") != 0
            && strcmp(j->string, "is_floor_plan") != 0) {
            cJSON_AddStringToObject(errors, j->string, "unknown field");
        } else if (strcmp(j->string, "captions") != 0 && !cJSON_IsBool(j)) {
            cJSON_AddStringToObject(errors, j->string, "must be true or false");
        }
    }
    const char *caps;
    const char *err = captions_input(r, cJSON_GetObjectItemCaseSensitive(in, "captions"),
                                     ts_db_get(res, 0, "captions"), &caps);
    if (err != NULL) {
        cJSON_AddStringToObject(errors, "captions", err);
    }
    const cJSON *main = cJSON_GetObjectItemCaseSensitive(in, "is_main");
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(in, "is_floor_plan");
    bool photo = strcmp(ts_db_get(res, 0, "kind"), "photo") == 0;
    if ((cJSON_IsTrue(main) || cJSON_IsTrue(fp)) && !photo) {
        cJSON_AddStringToObject(errors, main ? "is_main" : "is_floor_plan", "photos only");
    }
    if (cJSON_GetArraySize(errors) > 0) {
        return properties_validation_error(r, errors);
    }
    cJSON_Delete(errors);
    int64_t is_fp = fp ? cJSON_IsTrue(fp) : ts_db_get_int(res, 0, "is_floor_plan");
    int64_t is_main = main ? cJSON_IsTrue(main) : ts_db_get_int(res, 0, "is_main");
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    /* One main photo: naming a new one demotes the old. */
    if ((is_main && ts_db_exec(r, "UPDATE property_media SET is_main = 0 WHERE"
                                  " tenant_id = {tenant} AND property_id = ? AND id <> ?",
                               "ii", id, mid) != TS_OK)
        || ts_db_exec(r, "UPDATE property_media SET captions = ?, is_main = ?, is_floor_plan = ?"
                         " WHERE tenant_id = {tenant} AND id = ?", "siii", caps, is_main, is_fp,
                      mid) != TS_OK
        || properties_completeness_update(r, id) != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    cJSON *o = one_media(r, mid);
    return o ? ts_resp_data(r, 200, o) : TS_ERROR;
}

/* PUT /media/order {"ids": [...]}: every media id of the property, once. */
int
properties_media_order(ts_request_t *r)
{
    int64_t id;
    int rc = target(r, true, &id);
    if (rc != TS_OK) {
        return rc;
    }
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(ts_req_json(r), "ids"), *e;
    ts_db_result_t *res = ts_db_query(r, "SELECT id FROM property_media WHERE tenant_id = {tenant}"
                                         " AND property_id = ? AND deleted_at IS NULL", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    size_t n = ts_db_rows(res);
    bool ok = cJSON_IsArray(ids) && (size_t) cJSON_GetArraySize(ids) == n;
    cJSON_ArrayForEach(e, ids) {
        bool found = false;
        for (size_t i = 0; ok && i < n; i++) {
            found |= cJSON_IsNumber(e) && (double) ts_db_get_int(res, i, "id") == e->valuedouble;
        }
        for (const cJSON *f = ids->child; ok && f != e; f = f->next) {
            ok = f->valuedouble != e->valuedouble;       /* no id twice */
        }
        ok = ok && found;
    }
    if (!ok) {
        return properties_validation_error(r, properties_one_error("ids",
                                           "every media id of the property, each once"));
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    int64_t pos = 0;
    cJSON_ArrayForEach(e, ids) {
        if (ts_db_exec(r, "UPDATE property_media SET position = ? WHERE tenant_id = {tenant}"
                          " AND id = ?", "ii", pos++, (int64_t) e->valuedouble) != TS_OK) {
            ts_db_rollback(r);
            return TS_ERROR;
        }
    }
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    return properties_media_list(r);
}

int
properties_media_delete(ts_request_t *r)
{
    int64_t id, mid;
    ts_db_result_t *res;
    int rc = target(r, true, &id);
    if (rc != TS_OK || (rc = media_param(r, id, &mid, &res)) != TS_OK) {
        return rc;
    }
    if (ts_db_begin(r) != TS_OK
        || ts_db_exec(r, "DELETE FROM property_media WHERE tenant_id = {tenant} AND id = ?",
                      "i", mid) != TS_OK
        /* The next photo in order becomes the main one. */
        || (ts_db_get_int(res, 0, "is_main")
            && ts_db_exec(r, "UPDATE property_media SET is_main = 1 WHERE tenant_id = {tenant}"
                             " AND property_id = ? AND kind = 'photo' AND is_floor_plan = 0 AND"
                             " deleted_at IS NULL ORDER BY position, id LIMIT 1", "i", id) != TS_OK)
        || properties_completeness_update(r, id) != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    const char *name = ts_db_get(res, 0, "storage_name");
    if (name != NULL) {
        cJSON *names = cJSON_CreateArray();
        cJSON_AddItemToArray(names, cJSON_CreateString(name));
        properties_media_remove_files(r, names);
        cJSON_Delete(names);
    }
    return ts_resp_no_content(r);
}

/* Sends one stored file through nginx once the caller may see it. */
int
properties_media_send(ts_request_t *r, int64_t mid, const char *variant, bool public_only)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT m.kind, m.mime, m.storage_name, m.original_name,"
        " p.status, p.display_on_website FROM property_media m JOIN properties p ON"
        " p.tenant_id = m.tenant_id AND p.id = m.property_id WHERE m.tenant_id = {tenant}"
        " AND m.id = ? AND m.deleted_at IS NULL AND p.deleted_at IS NULL", "i", mid);
    if (res == NULL) {
        return TS_ERROR;
    }
    const char *name = ts_db_get(res, 0, "storage_name");
    if (ts_db_rows(res) == 0 || name == NULL
        || (public_only && (strcmp(ts_db_get(res, 0, "kind"), "photo") != 0
                            || !ts_db_get_int(res, 0, "display_on_website")
                            || !properties_status_on_website(ts_db_get(res, 0, "status"))))) {
        return ts_resp_error(r, 404, "not_found", "no such file", NULL);
    }
    return properties_media_send_stored(r, ts_db_get(res, 0, "kind"), name,
                                        ts_db_get(res, 0, "mime"),
                                        ts_db_get(res, 0, "original_name"), variant);
}

/* A stored file through nginx (the caller checked access): a document as an
 * attachment, a photo's variant (medium when none is asked) inline. */
int
properties_media_send_stored(ts_request_t *r, const char *kind, const char *name,
                             const char *mime, const char *orig, const char *variant)
{
    if (strcmp(kind, "document") == 0) {
        return ts_resp_storage_file(r, rel_path(r, name, "doc"), mime,
                                    ts_psprintf(r->pool, "attachment; filename=\"%s\"",
                                                orig ? orig : "document.pdf"));
    }
    size_t k = NVARIANTS;
    for (size_t i = 0; variant && i < NVARIANTS; i++) {
        if (strcmp(variants[i].name, variant) == 0) {
            k = i;
        }
    }
    if (variant == NULL) {
        k = 1;
    }
    if (k == NVARIANTS) {
        return properties_validation_error(r, properties_one_error("variant",
                                           "thumb, medium or large"));
    }
    return ts_resp_storage_file(r, rel_path(r, name, variants[k].name), "image/jpeg",
                                "inline");
}

int
properties_media_file(ts_request_t *r)
{
    int64_t id, mid;
    ts_db_result_t *res;
    int rc = target(r, false, &id);
    if (rc != TS_OK || (rc = media_param(r, id, &mid, &res)) != TS_OK) {
        return rc;
    }
    return properties_media_send(r, mid, ts_req_query(r, "variant"), false);
}
