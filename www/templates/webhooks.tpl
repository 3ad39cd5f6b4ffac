{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="page-title">Webhooks</h1>
    <p class="muted">Events posted, signed with the webhook's secret, to other systems.</p>
  </div>
</div>
<nav class="tabs" aria-label="Settings"><a href="/settings/scripts">Scripts</a><a href="/settings/script-errors">Script errors</a><a href="/settings/webhooks" aria-current="page">Webhooks</a><a href="/settings/outbox">Outbox</a></nav>
{{#EMPTY}}<p class="empty">No webhooks yet.</p>{{/EMPTY}}
<div class="table-wrap" role="region" aria-labelledby="page-title" tabindex="0">
<table class="list" id="webhooks">
  <caption class="visually-hidden">Webhooks of this agency</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">URL</th><th scope="col">Events</th><th scope="col">State</th><th scope="col" class="num">Failed</th><th scope="col">Actions</th></tr></thead>
  <tbody>
  {{#WEBHOOK}}<tr data-webhook="{{ID}}">
    <td>{{NAME}}</td><td class="wrap">{{URL}}</td><td class="wrap">{{EVENTS}}</td>
    <td><span class="badge" data-status="{{STATE}}">{{STATE}}</span></td><td class="num">{{FAILED}}</td>
    <td class="nowrap"><a class="button small" href="/settings/webhooks/{{ID}}">Edit</a>
      <a class="button small" href="/settings/webhooks/{{ID}}/deliveries">Deliveries</a>
      <form method="post" action="/settings/webhooks/{{ID}}/active" class="inline">
        <input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="active" value="{{TOGGLE_TO}}">
        <button type="submit" class="small">{{TOGGLE}}</button></form>
      <form method="post" action="/settings/webhooks/{{ID}}/delete" class="inline">
        <input type="hidden" name="_csrf" value="{{CSRF}}">
        <button type="submit" class="small danger">Delete</button></form></td>
  </tr>{{/WEBHOOK}}
  </tbody>
</table>
</div>

<section class="card" aria-labelledby="new-title">
  <div class="card-head"><h2 id="new-title">New webhook</h2></div>
  <form method="post" action="/settings/webhooks" class="form" id="webhook-form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    {{#ERRORS}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/ERRORS}}
    <div class="field">
      <label for="wh-name">Name</label>
      <input id="wh-name" name="name" value="{{FORM_NAME}}" required{{#NAME_ERROR}} aria-invalid="true" aria-describedby="wh-name-error"{{/NAME_ERROR}}>
      {{#NAME_ERROR}}<p class="error" id="wh-name-error">{{MESSAGE}}</p>{{/NAME_ERROR}}
    </div>
    <div class="field">
      <label for="wh-event">Event</label>
      <select id="wh-event" name="event"{{#EVENT_ERROR}} aria-invalid="true" aria-describedby="wh-event-error"{{/EVENT_ERROR}}>{{#EVENT_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/EVENT_OPT}}</select>
      {{#EVENT_ERROR}}<p class="error" id="wh-event-error">{{MESSAGE}}</p>{{/EVENT_ERROR}}
    </div>
    <div class="field">
      <label for="wh-url">URL</label>
      <input id="wh-url" name="url" type="url" value="{{FORM_URL}}" required{{#URL_ERROR}} aria-invalid="true" aria-describedby="wh-url-error"{{/URL_ERROR}}>
      {{#URL_ERROR}}<p class="error" id="wh-url-error">{{MESSAGE}}</p>{{/URL_ERROR}}
    </div>
    <div class="field">
      <label for="wh-secret">Secret <span class="optional">(optional)</span></label>
      <input id="wh-secret" name="secret" type="password" autocomplete="off" aria-describedby="wh-secret-hint">
      <p class="hint" id="wh-secret-hint">Signs each body: X-Tesoro-Signature: sha256=HMAC.</p>
    </div>
    <div class="actions"><button type="submit" class="primary">Create webhook</button></div>
  </form>
</section>
