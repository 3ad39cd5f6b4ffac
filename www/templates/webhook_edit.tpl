{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="page-title">Edit webhook {{NAME}}</h1>
    <p class="muted"><a href="/settings/webhooks">Webhooks</a> · <a href="/settings/webhooks/{{ID}}/deliveries">Deliveries</a></p>
  </div>
</div>
{{#FRESH}}<section class="card" aria-labelledby="fresh-title" id="fresh-secret">
  <div class="card-head"><h2 id="fresh-title">New secret</h2></div>
  <p>Copy it into the receiving system now: it is not shown again.</p>
  <p><code class="secret" id="fresh-secret-value">{{SECRET}}</code></p>
</section>{{/FRESH}}
<section class="card" aria-labelledby="edit-title">
  <div class="card-head"><h2 id="edit-title">Settings</h2></div>
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
    <fieldset class="field"{{#EVENT_ERROR}} aria-invalid="true" aria-describedby="wh-events-error"{{/EVENT_ERROR}}>
      <legend>Events</legend>
      <div class="checks">{{#EVENT_OPT}}<label class="check"><input type="checkbox" name="events" id="wh-ev-{{N}}" value="{{VALUE}}"{{#CHECKED}} checked{{/CHECKED}}> {{LABEL}}</label>{{/EVENT_OPT}}</div>
      {{#EVENT_ERROR}}<p class="error" id="wh-events-error">{{MESSAGE}}</p>{{/EVENT_ERROR}}
    </fieldset>
    <div class="field">
      <label for="wh-secret">Secret</label>
      <input id="wh-secret" name="secret" type="password" autocomplete="off" aria-describedby="wh-secret-hint">
      <p class="hint" id="wh-secret-hint">{{#HAS_SECRET}}Deliveries are signed. Leave empty to keep the secret, type a new one to replace it.{{/HAS_SECRET}}{{#NO_SECRET}}Deliveries are not signed. Type a secret to sign them (X-Tesoro-Signature: sha256=HMAC).{{/NO_SECRET}}</p>
      {{#HAS_SECRET}}<label class="check"><input type="checkbox" name="clear_secret" id="wh-clear-secret" value="1"> Remove the secret (deliveries unsigned)</label>{{/HAS_SECRET}}
    </div>
    <div class="actions"><button type="submit" class="primary">Save</button> <a class="button" href="/settings/webhooks">Cancel</a></div>
  </form>
</section>
<section class="card" aria-labelledby="rotate-title">
  <div class="card-head"><h2 id="rotate-title">Rotate the secret</h2></div>
  <p>Replaces the secret with a new random one at once: deliveries from then on are signed with it.</p>
  <form method="post" action="/settings/webhooks/{{ID}}/rotate" class="inline" id="webhook-rotate">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <button type="submit" class="danger">Rotate secret</button>
  </form>
</section>
