/* The lead page's "Convert to contact" form with "create a deal" ticked:
 * converts the lead through the API (with the chosen role), creates a buy or
 * rent deal from it (POST /api/v1/deals {"from_lead": id}: the lead as main
 * contact, its search preferences copied) and opens the deal. Without this
 * script the form converts and goes to the new-deal form for the contact. */
(function () {
  'use strict';

  function message(answer, fallback) {
    var err = answer && answer.error;
    if (err && err.fields) {
      for (var k in err.fields) {
        if (Object.prototype.hasOwnProperty.call(err.fields, k)) {
          return k + ': ' + err.fields[k];
        }
      }
    }
    return err && err.message ? err.message : fallback;
  }

  async function post(path, body) {
    var res = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': window.tesoro.csrfToken() },
      body: JSON.stringify(body)
    });
    return { ok: res.ok, answer: await res.json().catch(function () { return null; }) };
  }

  document.addEventListener('submit', async function (evt) {
    var form = evt.target;
    var box = form.querySelector ? form.querySelector('input[name="create_deal"]') : null;
    var id = form.getAttribute ? form.getAttribute('data-convert-lead') : null;
    if (!id || !box || !box.checked || !window.fetch || evt.defaultPrevented) {
      return;
    }
    evt.preventDefault();
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      var role = form.querySelector('select[name="role"]');
      var conv = await post('/api/v1/leads/' + encodeURIComponent(id) + '/convert',
                            role && role.value ? { role: role.value } : {});
      if (!conv.ok) {
        window.tesoro.flash('Not converted: ' + message(conv.answer, 'the server refused'), 'error');
        return;
      }
      var deal = await post('/api/v1/deals', { from_lead: Number(id) });
      if (!deal.ok) {
        window.tesoro.flash('Converted to a contact, but no deal was created: ' +
                            message(deal.answer, 'the server refused'), 'error');
        return;
      }
      window.location.assign('/deals/' + encodeURIComponent(deal.answer.data.id));
    } catch (e) {
      window.tesoro.flash('Not converted: the server could not be reached', 'error');
    } finally {
      button.disabled = false;
    }
  });
}());
