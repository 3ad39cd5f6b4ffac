/* The deals board: cards dragged between stages (SortableJS) are moved
 * through the API with the same rules as everywhere (PATCH
 * /api/v1/deals/{id}): Lost asks for a reason, leaving Won or Lost asks to
 * reopen, a refused move puts the card back and says why. Counts and sums of
 * both columns follow. Without JavaScript the deal page's stage form moves. */
(function () {
  'use strict';
  var board = document.getElementById('board');
  if (!board || !window.Sortable) {
    return;
  }
  var errorBox = document.getElementById('board-error');
  var dialog = document.getElementById('lost-dialog');
  var reasonInput = document.getElementById('lost-reason');

  var symbols = { EUR: '€', GBP: '£', USD: '$' };
  function money(minor, currency) {
    var n = Math.round(minor / 100).toLocaleString('en-US');
    return symbols[currency] ? symbols[currency] + n : currency + ' ' + n;
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
  }

  /* Sums are per currency: the card's moves its own, a new one is added. */
  function adjust(col, dCount, dValue, currency) {
    var c = col.querySelector('.col-count');
    var n = Number(c.getAttribute('data-count')) + dCount;
    c.setAttribute('data-count', String(n));
    c.textContent = String(n);
    var s = null;
    col.querySelectorAll('.col-sum').forEach(function (e) {
      if (e.getAttribute('data-currency') === currency) { s = e; }
    });
    if (!s) {
      var sums = col.querySelector('.col-sums');
      sums.appendChild(document.createTextNode(' · '));
      s = document.createElement('span');
      s.className = 'col-sum';
      s.setAttribute('data-currency', currency);
      s.setAttribute('data-sum', '0');
      sums.appendChild(s);
    }
    var v = Number(s.getAttribute('data-sum')) + dValue;
    s.setAttribute('data-sum', String(v));
    s.textContent = money(v, currency);
  }

  /* Resolves the lost reason typed, or null when the dialog is cancelled. */
  function askReason() {
    return new Promise(function (resolve) {
      reasonInput.value = '';
      var done = function (value) {
        dialog.removeEventListener('close', onClose);
        resolve(value);
      };
      var onClose = function () {
        done(dialog.returnValue === 'ok' && reasonInput.value.trim() ? reasonInput.value.trim() : null);
      };
      dialog.addEventListener('close', onClose);
      dialog.returnValue = '';
      dialog.showModal();
      reasonInput.focus();
    });
  }
  document.getElementById('lost-cancel').addEventListener('click', function () {
    dialog.close('cancel');
  });
  document.getElementById('lost-form').addEventListener('submit', function (e) {
    e.preventDefault();
    if (reasonInput.value.trim()) {
      dialog.close('ok');
    }
  });

  function putBack(evt) {
    var ref = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, ref);
  }

  function firstFieldMessage(body) {
    var f = body && body.error && body.error.fields;
    if (f) {
      for (var k in f) {
        if (Object.prototype.hasOwnProperty.call(f, k)) {
          return k + ': ' + f[k];
        }
      }
    }
    return body && body.error ? body.error.message : 'the move was not saved';
  }

  async function moved(evt) {
    if (evt.from === evt.to) {
      return;
    }
    var card = evt.item;
    var fromCol = evt.from.closest('.board-col');
    var toCol = evt.to.closest('.board-col');
    var stage = evt.to.getAttribute('data-stage');
    var body = { stage: stage };
    errorBox.hidden = true;
    if (fromCol.getAttribute('data-closed') === 'true') {
      if (!window.confirm('This deal is closed. Reopen it?')) {
        putBack(evt);
        return;
      }
      body.reopen = true;
    }
    if (stage === 'lost') {
      var reason = await askReason();
      if (reason === null) {
        putBack(evt);
        return;
      }
      body.lost_reason = reason;
    }
    card.classList.add('saving');
    try {
      var res = await fetch('/api/v1/deals/' + encodeURIComponent(card.getAttribute('data-id')), {
        method: 'PATCH',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': window.tesoro.csrfToken() },
        body: JSON.stringify(body)
      });
      var answer = await res.json().catch(function () { return null; });
      if (!res.ok) {
        putBack(evt);
        showError('Not moved: ' + firstFieldMessage(answer));
        return;
      }
      var value = Number(card.getAttribute('data-value')) || 0;
      var currency = card.getAttribute('data-currency') || 'EUR';
      adjust(fromCol, -1, -value, currency);
      adjust(toCol, 1, value, currency);
      card.setAttribute('data-stage', stage);
    } catch (e) {
      putBack(evt);
      showError('Not moved: the server could not be reached');
    } finally {
      card.classList.remove('saving');
    }
  }

  var lists = board.querySelectorAll('.cards');
  for (var i = 0; i < lists.length; i++) {
    window.Sortable.create(lists[i], {
      group: 'deals-' + board.getAttribute('data-pipeline'),
      animation: 120,
      /* Mouse and touch events rather than native drag and drop: the same
       * behaviour on phones, and no browser drag image over the columns. */
      forceFallback: true,
      fallbackTolerance: 4,
      onEnd: moved
    });
  }
})();
