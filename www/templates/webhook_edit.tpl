{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <p class="muted"><a href="/settings/webhooks">Webhooks</a> · #{{ID}}</p>
    <h1 id="page-title">Edit webhook</h1>
  </div>
  <div class="actions"><a class="button" href="/settings/webhooks/{{ID}}/deliveries">Deliveries</a></div>
</div>
<nav class="tabs" aria-label="Settings"><a href="/settings/scripts">Scripts</a><a href="/settings/script-errors">Script errors</a><a href="/settings/webhooks" aria-current="page">Webhooks</a><a href="/settings/outbox">Outbox</a></nav>
{{#FRESH}}<div class="flash" role="status" id="fresh-secret"><span class="msg">The new secret (shown only now; the old one no longer signs):</span>
  <code id="new-secret">{{SECRET}}</code></div>{{/FRESH}}

<section class="card" aria-labelledby="edit-title">
  <div class="card-head"><h2 id="edit-title">Webhook</h2></div>
  <form method="post" action="/settings/webhooks/{{ID}}" class="form" id="webhook-edit">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    {{#ERRORS}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/ERRORS}}
    <div class="field">
      <label for="wh-name">Name</label>
      <input id="wh-name" name="name" value="{{FORM_NAME}}" required{{#NAME_ERROR}} aria-invalid="true" aria-describedby="wh-name-error"{{/NAME_ERROR}}>
      {{#NAME_ERROR}}<p class="error" id="wh-name-error">{{MESSAGE}}</p>{{/NAME_ERROR}}
    </div>
    <div class="field">
      <label for="wh-url">URL</label>
      <input id="wh-url" name="url" type="url" value="{{FORM_URL}}" required{{#URL_ERROR}} aria-invalid="true" aria-describedby="wh-url-error"{{/URL_ERROR}}>
      {{#URL_ERROR}}<p class="error" id="wh-url-error">{{MESSAGE}}</p>{{/URL_ERROR}}
    </div>
    <fieldset class="field" id="wh-events"{{#EVENT_ERROR}} aria-invalid="true" aria-describedby="wh-events-error"{{/EVENT_ERROR}}><legend>Events</legend>
      {{#EVENT_BOX}}<label class="check" for="wh-ev-{{N}}"><input id="wh-ev-{{N}}" type="checkbox" name="events" value="{{VALUE}}"{{#CHECKED}} checked{{/CHECKED}}> {{LABEL}}</label>{{/EVENT_BOX}}
      {{#EVENT_ERROR}}<p class="error" id="wh-events-error">{{MESSAGE}}</p>{{/EVENT_ERROR}}
    </fieldset>
    <label class="check" for="wh-active"><input id="wh-active" type="checkbox" name="active" value="1"{{#ACTIVE}} checked{{/ACTIVE}}> Active (deliveries are sent)</label>
    <div class="field">
      <label for="wh-secret">New secret <span class="optional">(optional; now: {{SECRET_STATE}})</span></label>
      <input id="wh-secret" name="secret" type="password" autocomplete="off" aria-describedby="wh-secret-hint{{#SECRET_ERROR}} wh-secret-error{{/SECRET_ERROR}}"{{#SECRET_ERROR}} aria-invalid="true"{{/SECRET_ERROR}}>
      <p class="hint" id="wh-secret-hint">Left empty, the secret stays as it is. It is never shown again.</p>
      {{#SECRET_ERROR}}<p class="error" id="wh-secret-error">{{MESSAGE}}</p>{{/SECRET_ERROR}}
    </div>
    {{#HAS_SECRET}}<label class="check" for="wh-clear"><input id="wh-clear" type="checkbox" name="clear_secret" value="1"> Remove the secret (deliveries go unsigned)</label>{{/HAS_SECRET}}
    <div class="actions"><button type="submit" class="primary">Save webhook</button><a class="button" href="/settings/webhooks">Cancel</a></div>
  </form>
</section>

<section class="card" aria-labelledby="rotate-title">
  <div class="card-head"><h2 id="rotate-title">Rotate the secret</h2></div>
  <form method="post" action="/settings/webhooks/{{ID}}/rotate" class="form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <p>A new random secret replaces the current one at once; it is shown here once.</p>
    <div class="actions"><button type="submit" class="danger">Rotate secret</button></div>
  </form>
</section>
