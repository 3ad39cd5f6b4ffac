// The properties pages: forms and buttons that talk to the JSON API (with the
// session's CSRF token), photo upload and ordering (drag and drop with
// SortableJS, or the arrow buttons), batch actions and the Leaflet map.
(function () {
    'use strict';

    function csrf() {
        var m = document.querySelector('meta[name="csrf-token"]');
        return m ? m.getAttribute('content') : '';
    }

    function call(method, url, body, isForm) {
        var opts = { method: method, headers: { 'X-CSRF-Token': csrf() }, credentials: 'same-origin' };
        if (body !== undefined) {
            if (isForm) {
                opts.body = body;
            } else {
                opts.headers['Content-Type'] = 'application/json';
                opts.body = JSON.stringify(body);
            }
        }
        return fetch(url, opts).then(function (res) {
            return res.text().then(function (text) {
                var json = null;
                try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
                return { ok: res.ok, status: res.status, json: json };
            });
        });
    }

    function message(res) {
        return res.json && res.json.error ? res.json.error.message : 'the request failed (' + res.status + ')';
    }

    // A form's fields as the API's JSON: data-type number/money/bool/list, and
    // "descriptions.en.title" names nest. Custom fields ("custom.KEY") make the
    // whole `custom` object: an emptied one is left out (removed).
    function formJson(form) {
        var out = {};
        Array.prototype.forEach.call(form.elements, function (el) {
            if (!el.name || el.disabled || el.type === 'submit') {
                return;
            }
            var type = el.getAttribute('data-type');
            var custom = el.name.indexOf('custom.') === 0;
            if (custom) {
                out.custom = out.custom || {};
                if (el.value === '' && type !== 'bool') {
                    return;
                }
            }
            if (type === 'list') {
                var key = el.name.split('.').pop();
                if (el.checked) {
                    (out.custom[key] = out.custom[key] || []).push(el.value);
                }
                return;
            }
            var v;
            if (type === 'bool') {
                v = el.checked;
            } else if (el.value === '') {
                if (form.getAttribute('data-method') !== 'PATCH' || el.name === 'status_reason') {
                    return;
                }
                v = el.name.indexOf('descriptions.') === 0 ? '' : null;
            } else if (type === 'number') {
                v = Number(el.value);
            } else if (type === 'money') {
                v = Math.round(Number(el.value) * 100);
            } else {
                v = el.value;
            }
            var path = el.name.split('.');
            var o = out;
            for (var i = 0; i < path.length - 1; i++) {
                o = o[path[i]] = o[path[i]] || {};
            }
            o[path[path.length - 1]] = v;
        });
        if (out.status && form.querySelector('[name="status"]') && form.querySelector('[name="status"]').defaultValue === out.status
            && form.querySelector('[name="status"]').tagName === 'SELECT') {
            var sel = form.querySelector('[name="status"]');
            var initial = Array.prototype.filter.call(sel.options, function (o) { return o.defaultSelected; })[0];
            if (initial && initial.value === out.status && form.getAttribute('data-method') === 'PATCH' && !out.status_reason) {
                delete out.status;
            }
        }
        return out;
    }

    function showErrors(form, res) {
        form.querySelectorAll('[data-for]').forEach(function (p) { p.hidden = true; });
        form.querySelectorAll('[aria-invalid]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
        var top = form.querySelector('[data-form-error]');
        if (top) {
            top.textContent = message(res);
            top.hidden = false;
        }
        var fields = res.json && res.json.error && res.json.error.fields;
        Object.keys(fields || {}).forEach(function (k) {
            var p = form.querySelector('[data-for="' + k + '"]');
            var input = form.querySelector('[name="' + k + '"]');
            if (p) {
                p.textContent = fields[k];
                p.hidden = false;
                p.id = p.id || 'error-' + k;
            }
            if (input) {
                input.setAttribute('aria-invalid', 'true');
                if (p) {
                    input.setAttribute('aria-describedby', p.id);
                }
            }
        });
    }

    document.querySelectorAll('form[data-api-form]').forEach(function (form) {
        form.addEventListener('submit', function (ev) {
            ev.preventDefault();
            call(form.getAttribute('data-method'), form.getAttribute('action'), formJson(form)).then(function (res) {
                if (res.ok) {
                    var id = res.json && res.json.data ? res.json.data.id : '';
                    window.location.assign(form.getAttribute('data-redirect').replace('{id}', id));
                } else {
                    showErrors(form, res);
                }
            });
        });
    });

    document.addEventListener('click', function (ev) {
        var b = ev.target.closest('[data-api-action]');
        if (!b) {
            return;
        }
        if (b.getAttribute('data-confirm') && !window.confirm(b.getAttribute('data-confirm'))) {
            return;
        }
        var body = b.getAttribute('data-body');
        b.disabled = true;
        call(b.getAttribute('data-method'), b.getAttribute('data-url'), body ? JSON.parse(body) : undefined).then(function (res) {
            if (res.ok) {
                window.location.reload();
            } else {
                b.disabled = false;
                window.alert(message(res));
            }
        });
    });

    // Batch actions on the ticked rows of a list.
    document.querySelectorAll('[data-batch]').forEach(function (b) {
        b.addEventListener('click', function () {
            var ids = Array.prototype.map.call(document.querySelectorAll('input[name="id"]:checked'),
                function (c) { return Number(c.value); });
            if (ids.length === 0 || !window.confirm('Delete ' + ids.length + ' properties? They can be restored.')) {
                return;
            }
            call('POST', '/api/v1/properties/batch', { action: b.getAttribute('data-batch'), ids: ids }).then(function (res) {
                if (res.ok) {
                    window.location.reload();
                } else {
                    window.alert(message(res));
                }
            });
        });
    });

    // Upload: one request per file, then the page again.
    document.querySelectorAll('form[data-upload]').forEach(function (form) {
        form.addEventListener('submit', function (ev) {
            ev.preventDefault();
            var files = Array.prototype.slice.call(form.querySelector('input[type="file"]').files);
            var err = form.querySelector('[data-upload-error]');
            var next = function () {
                var f = files.shift();
                if (!f) {
                    window.location.reload();
                    return;
                }
                var fd = new FormData();
                fd.append('file', f, f.name);
                call('POST', form.getAttribute('action'), fd, true).then(function (res) {
                    if (res.ok) {
                        next();
                    } else {
                        err.textContent = f.name + ': ' + message(res);
                        err.hidden = false;
                    }
                });
            };
            next();
        });
    });

    document.querySelectorAll('form[data-publish]').forEach(function (form) {
        form.addEventListener('submit', function (ev) {
            ev.preventDefault();
            var portal = form.querySelector('[name="portal"]').value;
            call('PUT', form.getAttribute('data-publish') + encodeURIComponent(portal)).then(function (res) {
                if (res.ok) {
                    window.location.reload();
                } else {
                    var err = form.querySelector('[data-publish-error]');
                    err.textContent = message(res);
                    err.hidden = false;
                }
            });
        });
    });

    // The gallery's order: drag and drop, or the arrow buttons.
    var gallery = document.getElementById('gallery');
    if (gallery) {
        var save = function () {
            var ids = Array.prototype.map.call(gallery.querySelectorAll('li[data-id]'),
                function (li) { return Number(li.getAttribute('data-id')); });
            var others = document.querySelectorAll('[data-media-other]');
            Array.prototype.forEach.call(others, function (o) { ids.push(Number(o.getAttribute('data-media-other'))); });
            call('PUT', gallery.getAttribute('data-order-url'), { ids: ids }).then(function (res) {
                gallery.setAttribute('data-saved', res.ok ? 'yes' : 'no');
            });
        };
        gallery.addEventListener('click', function (ev) {
            var b = ev.target.closest('[data-move]');
            if (!b) {
                return;
            }
            var li = b.closest('li');
            if (b.getAttribute('data-move') === 'up' && li.previousElementSibling) {
                gallery.insertBefore(li, li.previousElementSibling);
            } else if (b.getAttribute('data-move') === 'down' && li.nextElementSibling) {
                gallery.insertBefore(li.nextElementSibling, li);
            }
            b.focus();
            save();
        });
        if (window.Sortable) {
            window.Sortable.create(gallery, { animation: 150, onEnd: save });
        }
    }

    // The public page: schema.org JSON-LD for crawlers, and the view beacon
    // (counted once an hour per visitor by the server).
    var pub = document.getElementById('public-property');
    if (pub) {
        fetch(pub.getAttribute('data-jsonld')).then(function (r) { return r.text(); }).then(function (t) {
            var s = document.createElement('script');
            s.type = 'application/ld+json';
            s.textContent = t;
            document.head.appendChild(s);
        });
        fetch(pub.getAttribute('data-beacon'), { method: 'POST', credentials: 'omit' });
    }

    // The map of the filtered properties.
    var map = document.getElementById('map');
    if (map && window.L) {
        var m = window.L.map(map).setView([38.5, -0.5], 8);
        window.L.tileLayer(map.getAttribute('data-tiles'), {
            maxZoom: 19, attribution: '&copy; OpenStreetMap contributors',
        }).addTo(m);
        fetch(map.getAttribute('data-points'), { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (j) {
            var pts = (j && j.data) || [];
            var bounds = [];
            pts.forEach(function (p) {
                var mk = window.L.circleMarker([p.latitude, p.longitude], { radius: 7 }).addTo(m);
                var a = document.createElement('a');
                a.href = '/properties/' + p.id;
                a.textContent = p.ref + (p.town ? ' · ' + p.town : '');
                mk.bindPopup(a);
                bounds.push([p.latitude, p.longitude]);
            });
            if (bounds.length) {
                m.fitBounds(bounds, { maxZoom: 14, padding: [20, 20] });
            }
            map.setAttribute('data-count', String(pts.length));
            document.getElementById('map-count').textContent = pts.length + ' properties on the map';
        });
    }
}());
