/* Tesoro: the small script of the web UI (loaded with defer, after htmx).
 *
 * - the "Menu" button folds the navigation on narrow screens (aria-expanded);
 * - the current section's link in the navigation gets aria-current="page";
 * - htmx sends the CSRF token (from <meta name="csrf-token">) as X-CSRF-Token
 *   on every request that is not a GET;
 * - htmx swaps 422 answers too (a form re-rendered with its errors);
 * - an htmx request that finds the session ended goes to the login page;
 * - failed htmx requests show a flash message instead of doing nothing;
 * - list pages: ticking rows shows the batch-action bar with a count.
 *
 * Pages work without it for reading; no inline scripts anywhere, so a strict
 * Content-Security-Policy (script-src 'self') holds.
 */
(function () {
  'use strict';

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  /* ---- htmx ---- */

  if (window.htmx) {
    /* Server-side validation answers 422 with the form and its errors: swap
     * it like a 200. Other 4xx/5xx are not swapped (htmx:responseError). */
    window.htmx.config.responseHandling = [
      { code: '204', swap: false },
      { code: '[23]..', swap: true },
      { code: '422', swap: true },
      { code: '[45]..', swap: false, error: true },
      { code: '...', swap: false }
    ];
  }

  (document.body || document).addEventListener('htmx:configRequest', function (evt) {
    var verb = String(evt.detail.verb || '').toLowerCase();
    if (verb !== 'get') {
      evt.detail.headers['X-CSRF-Token'] = csrfToken();
    }
  });

  /* A session that ended answers an htmx request with a redirect to /login,
   * which the browser follows inside the XHR: do not swap a login page into a
   * table, go to the login page, coming back here afterwards. */
  document.addEventListener('htmx:beforeSwap', function (evt) {
    var xhr = evt.detail.xhr;
    var to;
    try {
      to = new URL(xhr.responseURL);
    } catch (e) {
      return;
    }
    if (to.origin === window.location.origin && to.pathname === '/login'
        && window.location.pathname !== '/login') {
      evt.detail.shouldSwap = false;
      evt.detail.isError = false;
      window.location.assign('/login?next=' +
        encodeURIComponent(window.location.pathname + window.location.search));
    }
  });

  /* An htmx request that failed (4xx/5xx not swapped, or no network): say so
   * instead of doing nothing. */
  function requestFailed(evt) {
    var xhr = evt.detail && evt.detail.xhr;
    var msg;
    if (xhr && xhr.status === 403) {
      msg = 'This was refused. The page may be stale: reload it and try again.';
    } else if (xhr && xhr.status === 401) {
      msg = 'Your session has ended. Log in again.';
    } else if (xhr && xhr.status) {
      msg = 'Something went wrong (' + xhr.status + '). Please try again.';
    } else {
      msg = 'The server could not be reached. Check your connection and try again.';
    }
    showFlash(msg, 'error');
  }
  document.addEventListener('htmx:responseError', requestFailed);
  document.addEventListener('htmx:sendError', requestFailed);

  function showFlash(text, kind) {
    var main = document.getElementById('main');
    if (!main) {
      return;
    }
    var p = main.querySelector(':scope > .flash.js-flash');
    if (!p) {
      p = document.createElement('p');
      p.className = 'flash js-flash';
      p.setAttribute('role', kind === 'error' ? 'alert' : 'status');
      main.insertBefore(p, main.firstChild);
    }
    if (kind) {
      p.classList.add(kind);
    }
    p.textContent = text;
  }

  /* ---- navigation ---- */

  function setupMenu() {
    var button = document.querySelector('.menu-toggle');
    var nav = button && document.getElementById(button.getAttribute('aria-controls'));
    if (!button || !nav) {
      return;
    }
    function setOpen(open) {
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
    }
    button.addEventListener('click', function () {
      setOpen(button.getAttribute('aria-expanded') !== 'true');
    });
    /* Escape closes the menu and gives the focus back to the button. */
    document.addEventListener('keydown', function (evt) {
      if (evt.key === 'Escape' && button.getAttribute('aria-expanded') === 'true') {
        setOpen(false);
        button.focus();
      }
    });
    /* Back on a wide screen the sidebar shows the links anyway: start closed. */
    var wide = window.matchMedia('(min-width: 64rem)');
    var onChange = function (e) {
      if (e.matches) {
        setOpen(false);
      }
    };
    if (wide.addEventListener) {
      wide.addEventListener('change', onChange);
    }
  }

  function markCurrent() {
    var links = document.querySelectorAll('#nav a[href]');
    var path = window.location.pathname;
    var best = null;
    var bestLen = -1;
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute('href');
      var match = href === '/' ? path === '/'
        : path === href || path.indexOf(href + '/') === 0;
      if (match && href.length > bestLen) {
        best = links[i];
        bestLen = href.length;
      }
      links[i].removeAttribute('aria-current');
    }
    if (best) {
      best.setAttribute('aria-current', 'page');
    }
  }

  /* ---- list pages: row checkboxes and the batch-action bar ---- */

  function rowBoxes(form) {
    return form.querySelectorAll('input[type="checkbox"][name="id"]');
  }

  function updateBatch(form) {
    var boxes = rowBoxes(form);
    var n = 0;
    for (var i = 0; i < boxes.length; i++) {
      var row = boxes[i].closest('tr');
      if (row) {
        row.classList.toggle('selected', boxes[i].checked);
      }
      if (boxes[i].checked) {
        n++;
      }
    }
    var bar = form.querySelector('.batch-bar');
    if (bar) {
      bar.hidden = n === 0;
    }
    var out = form.querySelectorAll('[data-selected-count]');
    for (var j = 0; j < out.length; j++) {
      out[j].textContent = String(n);
    }
    var all = form.querySelector('input[type="checkbox"][data-select-all]');
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
  }

  function setupBatch(root) {
    var bars = (root || document).querySelectorAll('.batch-bar');
    for (var i = 0; i < bars.length; i++) {
      var form = bars[i].closest('form');
      if (form) {
        updateBatch(form);
      }
    }
  }

  document.addEventListener('change', function (evt) {
    var box = evt.target;
    if (!box.matches || !box.matches('input[type="checkbox"]') || !box.form) {
      return;
    }
    if (box.hasAttribute('data-select-all')) {
      var boxes = rowBoxes(box.form);
      for (var i = 0; i < boxes.length; i++) {
        boxes[i].checked = box.checked;
      }
    } else if (box.name !== 'id') {
      return;
    }
    updateBatch(box.form);
  });

  /* A checked box with data-confirm (e.g. "apply to all N matching the filter")
     asks before its form is sent. */
  document.addEventListener('submit', function (evt) {
    var boxes = evt.target.querySelectorAll ? evt.target.querySelectorAll('input[type="checkbox"][data-confirm]:checked') : [];
    for (var i = 0; i < boxes.length; i++) {
      if (!window.confirm(boxes[i].getAttribute('data-confirm'))) {
        evt.preventDefault();
        return;
      }
    }
  });

  /* The skip link moves the focus, not only the scroll position. */
  function setupSkip() {
    var skip = document.querySelector('a.skip');
    var main = document.getElementById('main');
    if (skip && main) {
      skip.addEventListener('click', function () {
        main.focus();
      });
    }
  }

  function init() {
    setupMenu();
    markCurrent();
    setupSkip();
    setupBatch(document);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
  /* New content from htmx: set up its batch bar. */
  document.addEventListener('htmx:load', function (evt) {
    setupBatch(evt.target && evt.target.querySelectorAll ? evt.target : document);
  });
  /* htmx may push a new URL (hx-push-url): keep the navigation in step. */
  document.addEventListener('htmx:pushedIntoHistory', markCurrent);
  document.addEventListener('htmx:replacedInHistory', markCurrent);
  window.addEventListener('popstate', markCurrent);

  window.tesoro = { csrfToken: csrfToken, flash: showFlash };
}());
