// The ctemplate shim: C gets dictionaries and render(template, dictionary).
#include <ctemplate/template.h>
#include <string>
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

extern "C" void
ts_tpl_show(ts_tpl_dict_t *d, const char *section)
{
    dict(d)->ShowSection(section);
}

/* Pages are wrapped in layout.tpl (which includes the page as BODY); names
 * starting with '_' are fragments for htmx and render alone. */
extern "C" int
ts_tpl_render(ts_request_t *r, const char *name, ts_tpl_dict_t *d, ts_buf_t *out)
{
    (void) r;
    if (d == nullptr) {
        return TS_ERROR;
    }
    const char *base = strrchr(name, '/');
    bool fragment = (base ? base[1] : name[0]) == '_';
    std::string text;
    bool ok;
    if (fragment) {
        ok = ctemplate::ExpandTemplate(name, ctemplate::DO_NOT_STRIP, dict(d), &text);
    } else {
        dict(d)->AddIncludeDictionary("BODY")->SetFilename(name);
        ok = ctemplate::ExpandTemplate("layout.tpl", ctemplate::DO_NOT_STRIP, dict(d), &text);
    }
    if (!ok) {
        return TS_ERROR;
    }
    return ts_buf_add(out, text.data(), text.size());
}
