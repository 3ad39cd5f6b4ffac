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
        }, function () {
            return { ok: false, status: 0, json: null };
        });
    }

    function message(res) {
        if (res.status === 0) {
            return 'the server could not be reached; nothing was saved';
        }
        return res.json && res.json.error ? res.json.error.message : 'the request failed (' + res.status + ')';
    }

    // A form's fields as the API's JSON: data-type number/money/bool, id (empty
    // is null), set (the ticked boxes of one name, as a list), list (comma-
    // separated text, as a list; on a custom field, its ticked boxes), and
    // "descriptions.en.title" names nest. Custom fields ("custom.KEY") make the
    // whole `custom` object: an emptied one is left out (removed).
    function formJson(form) {
        var out = {};
        var patch = form.getAttribute('data-method') === 'PATCH';
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
            if (custom && type === 'list') {
                var key = el.name.split('.').pop();
                if (el.checked) {
                    (out.custom[key] = out.custom[key] || []).push(el.value);
                }
                return;
            }
            var v;
            if (type === 'set') {
                out[el.name] = out[el.name] || [];
                if (el.checked) {
                    out[el.name].push(el.value);
                }
                return;
            } else if (type === 'list') {
                v = el.value.split(',').map(function (t) { return t.trim(); }).filter(function (t) { return t !== ''; });
            } else if (type === 'bool') {
                v = el.checked;
            } else if (type === 'id') {
                v = el.value === '' ? null : Number(el.value);
            } else if (el.value === '') {
                if (!patch || el.name === 'status_reason') {
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
        var sel = form.querySelector('select[name="status"]');
        if (sel && patch && !out.status_reason) {
            var initial = Array.prototype.filter.call(sel.options, function (o) { return o.defaultSelected; })[0];
            if (initial && initial.value === out.status) {
                delete out.status;
            }
        }
        return out;
    }

    // The control an error of the API is about: the one marked for it
    // (data-field), else the one of that name, else the first of a nested
    // name ("descriptions" → descriptions.en.title).
    function controlFor(form, key) {
        var esc = window.CSS && window.CSS.escape ? window.CSS.escape(key) : key;
        return form.querySelector('[data-field="' + esc + '"]')
            || form.querySelector('[name="' + esc + '"]:not([type="hidden"])')
            || form.querySelector('[name^="' + esc + '."]')
            || form.querySelector('[name^="' + esc.split('.')[0] + '"]:not([type="hidden"])');
    }

    // Each field's error beside its control (made there when the template has
    // no place for it), aria-invalid and aria-describedby set; what names no
    // control of the form is listed in the alert at the top.
    function showErrors(form, res) {
        form.querySelectorAll('[data-for]').forEach(function (p) { p.hidden = true; p.textContent = ''; });
        form.querySelectorAll('[aria-invalid]').forEach(function (el) {
            el.removeAttribute('aria-invalid');
            var ids = (el.getAttribute('aria-describedby') || '').split(' ').filter(function (t) { return t && t.indexOf('error-') !== 0; });
            if (ids.length) {
                el.setAttribute('aria-describedby', ids.join(' '));
            } else {
                el.removeAttribute('aria-describedby');
            }
        });
        var fields = (res.json && res.json.error && res.json.error.fields) || {};
        var unplaced = [];
        var first = null;
        Object.keys(fields).forEach(function (k) {
            var input = controlFor(form, k);
            var esc = window.CSS && window.CSS.escape ? window.CSS.escape(k) : k;
            var p = form.querySelector('[data-for="' + esc + '"]');
            if (!p && input) {
                p = document.createElement('p');
                p.className = 'error';
                p.setAttribute('data-for', k);
                var holder = input.closest('.field') || input.parentNode;
                holder.appendChild(p);
            }
            if (!p) {
                unplaced.push(k + ': ' + fields[k]);
                return;
            }
            p.textContent = fields[k];
            p.hidden = false;
            p.id = 'error-' + k.replace(/[^A-Za-z0-9_-]/g, '-');
            if (input) {
                input.setAttribute('aria-invalid', 'true');
                var ids = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
                if (ids.indexOf(p.id) < 0) {
                    ids.push(p.id);
                }
                input.setAttribute('aria-describedby', ids.join(' '));
                first = first || input;
            }
        });
        var top = form.querySelector('[data-form-error]');
        if (top) {
            var msg = document.createElement('span');
            msg.className = 'msg';
            msg.textContent = message(res) + (unplaced.length ? ': ' + unplaced.join('; ') : '');
            top.textContent = '';
            top.appendChild(msg);
            top.hidden = false;
        }
        if (first) {
            first.focus();
        }
    }

    // Search-as-you-type for a record (the owner relation): a combobox whose
    // options come from the list API's q=, the chosen id in a hidden input.
    // Arrow keys move through the options, Enter picks, Escape closes.
    document.querySelectorAll('[data-picker]').forEach(function (box) {
        var input = box.querySelector('[data-picker-input]');
        var value = box.querySelector('[data-picker-value]');
        var list = box.querySelector('[data-picker-list]');
        var status = box.querySelector('[data-picker-status]');
        var hint = status ? status.textContent : '';
        var chosen = input.value;
        var active = -1;
        var timer = null;
        var seq = 0;
        var close = function () {
            list.hidden = true;
            input.setAttribute('aria-expanded', 'false');
            input.removeAttribute('aria-activedescendant');
            active = -1;
        };
        var highlight = function (i) {
            var opts = list.querySelectorAll('[role="option"]');
            if (!opts.length) {
                return;
            }
            active = (i + opts.length) % opts.length;
            opts.forEach(function (o, k) { o.setAttribute('aria-selected', k === active ? 'true' : 'false'); });
            input.setAttribute('aria-activedescendant', opts[active].id);
            opts[active].scrollIntoView({ block: 'nearest' });
        };
        var pick = function (o) {
            value.value = o.getAttribute('data-value');
            input.value = chosen = o.textContent;
            if (status) {
                status.textContent = 'Chosen: ' + chosen;
            }
            close();
        };
        var search = function () {
            var q = input.value.trim();
            var mine = ++seq;
            if (q === '') {
                value.value = '';
                chosen = '';
                list.innerHTML = '';
                close();
                if (status) {
                    status.textContent = hint;
                }
                return;
            }
            var url = box.getAttribute('data-picker') + '?limit=8&q=' + encodeURIComponent(q);
            call('GET', url).then(function (res) {
                if (mine !== seq) {
                    return;         // a newer search is under way
                }
                list.innerHTML = '';
                var rows = (res.ok && res.json && res.json.data) || [];
                rows.forEach(function (row, k) {
                    var li = document.createElement('li');
                    li.id = input.id + '-opt-' + k;
                    li.setAttribute('role', 'option');
                    li.setAttribute('aria-selected', 'false');
                    li.setAttribute('data-value', String(row.id));
                    li.textContent = row.name;
                    list.appendChild(li);
                });
                list.hidden = rows.length === 0;
                input.setAttribute('aria-expanded', rows.length ? 'true' : 'false');
                if (status) {
                    status.textContent = !res.ok ? message(res)
                        : rows.length ? rows.length + ' found; choose one with the arrow keys and Enter'
                            : 'No relation matches "' + q + '"';
                }
            });
        };
        input.addEventListener('input', function () {
            clearTimeout(timer);
            timer = setTimeout(search, 200);
        });
        input.addEventListener('keydown', function (ev) {
            if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
                ev.preventDefault();
                if (list.hidden && list.children.length) {
                    list.hidden = false;
                    input.setAttribute('aria-expanded', 'true');
                }
                highlight(active + (ev.key === 'ArrowDown' ? 1 : -1));
            } else if (ev.key === 'Enter' && !list.hidden && active >= 0) {
                ev.preventDefault();
                pick(list.querySelectorAll('[role="option"]')[active]);
            } else if (ev.key === 'Escape' && !list.hidden) {
                ev.preventDefault();
                close();
            }
        });
        list.addEventListener('mousedown', function (ev) {
            var o = ev.target.closest('[role="option"]');
            if (o) {
                ev.preventDefault();    // keep the focus in the input
                pick(o);
            }
        });
        // Leaving the field with a half-typed name keeps the last choice.
        input.addEventListener('blur', function () {
            setTimeout(function () {
                close();
                if (input.value.trim() === '') {
                    value.value = chosen = '';
                } else if (input.value !== chosen) {
                    input.value = chosen;
                }
            }, 150);
        });
    });

    document.querySelectorAll('form[data-api-form]').forEach(function (form) {
        form.addEventListener('submit', function (ev) {
            ev.preventDefault();
            var submit = form.querySelector('[type="submit"]');
            if (submit) {
                submit.disabled = true;     // one request at a time
            }
            call(form.getAttribute('data-method'), form.getAttribute('action'), formJson(form)).then(function (res) {
                if (submit) {
                    submit.disabled = false;
                }
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
            if (res.ok && b.getAttribute('data-redirect')) {
                window.location.assign(b.getAttribute('data-redirect'));
            } else if (res.ok) {
                window.location.reload();
            } else {
                b.disabled = false;
                window.alert(message(res));
            }
        });
    });

    // Batch actions on the ticked rows (or every property of the filter):
    // delete, with an undo; on the deleted view, undo delete and delete for
    // good, which the API confirms with a token after saying how many. The
    // outcome (with its count) is kept for the reloaded page.
    var BATCH_KEY = 'ts.properties.batch';
    var plural = function (n) { return n + (n === 1 ? ' property' : ' properties'); };
    var bar = document.querySelector('[data-batch-bar]');
    var result = document.querySelector('[data-batch-result]');
    var batchCall = function (body) { return call('POST', '/api/v1/properties/batch', body); };
    var finish = function (text, undo) {
        try {
            window.sessionStorage.setItem(BATCH_KEY, JSON.stringify({ text: text, undo: undo || null }));
        } catch (e) { /* storage off: the list still reloads */ }
        window.location.reload();
    };
    if (result) {
        var kept = null;
        try {
            kept = JSON.parse(window.sessionStorage.getItem(BATCH_KEY) || 'null');
            window.sessionStorage.removeItem(BATCH_KEY);
        } catch (e) { kept = null; }
        if (kept && kept.text) {
            result.querySelector('[data-batch-result-text]').textContent = kept.text;
            result.hidden = false;
            var undo = result.querySelector('[data-batch-undo]');
            if (kept.undo && kept.undo.length) {
                undo.hidden = false;
                undo.addEventListener('click', function () {
                    undo.disabled = true;
                    batchCall({ action: 'restore', ids: kept.undo }).then(function (res) {
                        if (res.ok) {
                            finish(plural(res.json.data.count) + ' restored.');
                        } else {
                            undo.disabled = false;
                            result.querySelector('[data-batch-result-text]').textContent = 'Not restored: ' + message(res);
                        }
                    });
                });
            }
        }
    }
    if (bar) {
        var barError = bar.querySelector('[data-batch-error]');
        var dialog = document.querySelector('[data-batch-confirm]');
        var fail = function (res) {
            barError.textContent = message(res);
            barError.hidden = false;
        };
        // {ids} of the ticked rows or {filter}, with how many that is.
        var chosen = function () {
            var all = bar.querySelector('[data-batch-all]');
            if (all && all.checked) {
                return { body: { filter: JSON.parse(all.getAttribute('data-filter')) }, count: Number(all.getAttribute('data-count')) };
            }
            var ids = Array.prototype.map.call(document.querySelectorAll('input[name="id"]:checked'),
                function (c) { return Number(c.value); });
            return { body: { ids: ids }, count: ids.length };
        };
        var hardDelete = function (sel) {
            var ask = Object.assign({ action: 'hard_delete' }, sel.body);
            batchCall(ask).then(function (res) {
                if (res.status !== 202) {
                    fail(res);
                    return;
                }
                var token = res.json.data.confirm;
                var n = res.json.data.count;
                var yes = dialog.querySelector('[data-batch-confirm-yes]');
                var no = dialog.querySelector('[data-batch-confirm-no]');
                var err = dialog.querySelector('[data-batch-confirm-error]');
                dialog.querySelector('[data-batch-confirm-text]').textContent = 'Delete ' + plural(n)
                    + ' and their photos and documents for good? This cannot be undone.';
                yes.textContent = 'Delete ' + plural(n) + ' for good';
                err.hidden = true;
                dialog.hidden = false;
                no.focus();
                var close = function () {
                    dialog.hidden = true;
                    yes.onclick = no.onclick = null;
                };
                no.onclick = close;
                yes.onclick = function () {
                    yes.disabled = true;
                    batchCall(Object.assign({ confirm: token }, ask)).then(function (done) {
                        yes.disabled = false;
                        if (done.ok) {
                            close();
                            finish(plural(done.json.data.count) + ' deleted for good.');
                        } else {
                            err.textContent = message(done);
                            err.hidden = false;
                        }
                    });
                };
            });
        };
        bar.addEventListener('click', function (ev) {
            var b = ev.target.closest('[data-batch]');
            if (!b) {
                return;
            }
            barError.hidden = true;
            var sel = chosen();
            var action = b.getAttribute('data-batch');
            if (sel.count === 0) {
                return;
            }
            if (sel.body.filter && !window.confirm('Apply this to all ' + plural(sel.count) + ' matching the filter?')) {
                return;
            }
            if (action === 'hard_delete') {
                hardDelete(sel);
                return;
            }
            b.disabled = true;
            batchCall(Object.assign({ action: action }, sel.body)).then(function (res) {
                b.disabled = false;
                if (!res.ok) {
                    fail(res);
                } else if (action === 'delete') {
                    finish(plural(res.json.data.count) + ' deleted.', res.json.data.ids);
                } else {
                    finish(plural(res.json.data.count) + ' restored.');
                }
            });
        });
    }

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
                // The form's other choices (a project file's typology) go along.
                form.querySelectorAll('select[name]').forEach(function (s) {
                    if (s.value !== '') {
                        fd.append(s.name, s.value);
                    }
                });
                call('POST', form.getAttribute('action'), fd, true).then(function (res) {
                    if (res.ok) {
                        next();
                    } else if (!err) {
                        if (res.json && res.json.error) {
                            res.json.error.message = f.name + ': ' + res.json.error.message;
                        }
                        showErrors(form, res);
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

    // The gallery's order: drag and drop (SortableJS), or the arrow buttons
    // (the keyboard's way); each change is saved with the whole order (the
    // documents and links keep their place after the photos).
    var gallery = document.getElementById('gallery');
    if (gallery) {
        var galleryStatus = document.querySelector('[data-gallery-status]');
        var order = function () {
            return Array.prototype.map.call(gallery.querySelectorAll('li[data-id]'),
                function (li) { return Number(li.getAttribute('data-id')); });
        };
        var saved = order();
        var save = function (moved) {
            var ids = order();
            Array.prototype.forEach.call(document.querySelectorAll('[data-media-other]'),
                function (o) { ids.push(Number(o.getAttribute('data-media-other'))); });
            gallery.setAttribute('data-saved', 'saving');
            call('PUT', gallery.getAttribute('data-order-url'), { ids: ids }).then(function (res) {
                if (res.ok) {
                    saved = order();
                    gallery.setAttribute('data-saved', 'yes');
                    if (moved && galleryStatus) {
                        var items = gallery.querySelectorAll('li[data-id]');
                        var pos = Array.prototype.indexOf.call(items, moved) + 1;
                        galleryStatus.textContent = 'Photo moved to position ' + pos + ' of ' + items.length + '; order saved.';
                    }
                } else {
                    // Put the photos back as the server has them.
                    saved.forEach(function (id) {
                        gallery.appendChild(gallery.querySelector('li[data-id="' + id + '"]'));
                    });
                    gallery.setAttribute('data-saved', 'no');
                    if (galleryStatus) {
                        galleryStatus.textContent = 'The order was not saved: ' + message(res);
                    }
                }
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
            } else {
                return;
            }
            b.focus();
            save(li);
        });
        if (window.Sortable) {
            window.Sortable.create(gallery, {
                animation: 150,
                draggable: 'li[data-id]',
                // Mouse and touch events rather than native drag and drop: the
                // same on phones; a press on a button or link is no drag.
                forceFallback: true,
                fallbackTolerance: 4,
                filter: 'button',
                preventOnFilter: false,
                onEnd: function (evt) {
                    if (evt.oldIndex !== evt.newIndex) {
                        save(evt.item);
                    }
                },
            });
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

    // A project's page: duplicate a unit (1 to 20 copies); a refusal shows
    // beside the count.
    document.querySelectorAll('form[data-duplicate]').forEach(function (form) {
        form.addEventListener('submit', function (ev) {
            ev.preventDefault();
            var submit = form.querySelector('[type="submit"]');
            var unit = form.querySelector('[name="unit"]').value;
            var count = Number(form.querySelector('[name="count"]').value);
            submit.disabled = true;
            call('POST', '/api/v1/properties/' + encodeURIComponent(unit) + '/duplicate', { count: count }).then(function (res) {
                submit.disabled = false;
                if (res.ok) {
                    window.location.reload();
                } else {
                    showErrors(form, res);
                }
            });
        });
    });
}());
