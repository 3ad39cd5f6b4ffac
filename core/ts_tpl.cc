// The ctemplate shim: C gets dictionaries and render(template, dictionary).
#include <ctemplate/template.h>
#include <string>
#include <cstring>
#include <new>

extern "C" {
#include "ts_core.h"
}

using ctemplate::TemplateDictionary;

struct ts_tpl_dict_s;   // never defined: a TemplateDictionary behind the C name

static TemplateDictionary *
dict(ts_tpl_dict_t *d)
{
    return reinterpret_cast<TemplateDictionary *>(d);
}

static void
dict_delete(void *d)
{
    delete static_cast<TemplateDictionary *>(d);
}

extern "C" int
ts_tpl_load_dir(const char *dir)
{
    return ctemplate::mutable_default_template_cache()->SetTemplateRootDirectory(dir)
               ? TS_OK : TS_ERROR;
}

extern "C" void
ts_tpl_reset(void)
{
    ctemplate::mutable_default_template_cache()->ReloadAllIfChanged(
        ctemplate::TemplateCache::IMMEDIATE_RELOAD);
}

extern "C" ts_tpl_dict_t *
ts_tpl_dict(ts_request_t *r)
{
    TemplateDictionary *d = new (std::nothrow) TemplateDictionary("page");
    if (d == nullptr) {
        return nullptr;
    }
    ts_pool_cleanup_add(r->pool, dict_delete, d);
    return reinterpret_cast<ts_tpl_dict_t *>(d);
}

extern "C" void
ts_tpl_set(ts_tpl_dict_t *d, const char *key, const char *value)
{
    dict(d)->SetValue(key, value ? value : "");
}

extern "C" void
ts_tpl_set_int(ts_tpl_dict_t *d, const char *key, long long v)
{
    dict(d)->SetValue(key, std::to_string(v));
}

extern "C" ts_tpl_dict_t *
ts_tpl_section(ts_tpl_dict_t *d, const char *section)
{
    return reinterpret_cast<ts_tpl_dict_t *>(dict(d)->AddSectionDictionary(section));
}

extern "C" ts_tpl_dict_t *
ts_tpl_include(ts_tpl_dict_t *d, const char *name, const char *file)
{
    TemplateDictionary *inc = dict(d)->AddIncludeDictionary(name);
    inc->SetFilename(file);
    return reinterpret_cast<ts_tpl_dict_t *>(inc);
}

extern "C" void
ts_tpl_show(ts_tpl_dict_t *d, const char *section)
{
    dict(d)->ShowSection(section);
}

/* Pages are rendered, then wrapped in layout.tpl as BODY (ctemplate's include
 * dictionaries do not see their parent's values, so two passes with one
 * dictionary); names starting with '_' are fragments for htmx. */
extern "C" int
ts_tpl_render(ts_request_t *r, const char *name, ts_tpl_dict_t *d, ts_buf_t *out)
{
    (void) r;
    if (d == nullptr) {
        return TS_ERROR;
    }
    const char *base = strrchr(name, '/');
    bool fragment = (base ? base[1] : name[0]) == '_';
    std::string body;
    if (!ctemplate::ExpandTemplate(name, ctemplate::DO_NOT_STRIP, dict(d), &body)) {
        return TS_ERROR;
    }
    if (fragment) {
        return ts_buf_add(out, body.data(), body.size());
    }
    std::string page;
    dict(d)->SetValue("BODY", body);
    if (!ctemplate::ExpandTemplate("layout.tpl", ctemplate::DO_NOT_STRIP, dict(d), &page)) {
        return TS_ERROR;
    }
    return ts_buf_add(out, page.data(), page.size());
}
