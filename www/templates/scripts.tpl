{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="page-title">Scripts</h1>
    <p class="muted">Lua scripts that score leads, run workflows and define custom fields. Active scorer: <strong id="active-scorer">{{ACTIVE_SCORER}}</strong>.</p>
  </div>
</div>
<nav class="tabs" aria-label="Settings"><a href="/settings/scripts" aria-current="page">Scripts</a><a href="/settings/script-errors">Script errors</a><a href="/settings/webhooks">Webhooks</a><a href="/settings/outbox">Outbox</a></nav>
<form class="toolbar" method="get" action="/settings/scripts" aria-label="New script">
  <div class="field grow"><label for="new-name">New script name</label>
    <input id="new-name" name="name" value="{{NEW_NAME}}" aria-describedby="new-name-hint{{#NAME_ERROR}} new-name-error{{/NAME_ERROR}}"{{#NAME_ERROR}} aria-invalid="true"{{/NAME_ERROR}} required>
    <p class="hint" id="new-name-hint">a-z, 0-9, _ and -, up to 64; workflows.NAME or fields.NAME for those kinds.</p>
    {{#NAME_ERROR}}<p class="error" id="new-name-error">That is not a valid script name.</p>{{/NAME_ERROR}}</div>
  <div class="actions"><button type="submit">Open editor</button></div>
</form>
<div class="table-wrap" role="region" aria-labelledby="page-title" tabindex="0">
<table class="list" id="scripts">
  <caption class="visually-hidden">Scripts in effect for this agency</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Active version</th><th scope="col">Origin</th><th scope="col">Saved</th></tr></thead>
  <tbody>
  {{#SCRIPT}}<tr data-script="{{NAME}}">
    <td><a href="/settings/scripts/{{NAME}}">{{NAME}}</a>{{#ACTIVE}} <span class="badge" data-status="active">Active scorer</span>{{/ACTIVE}}</td>
    <td>{{KIND}}</td><td class="version">{{VERSION}}</td><td>{{ORIGIN}}</td><td class="nowrap">{{UPDATED}}</td>
  </tr>{{/SCRIPT}}
  </tbody>
</table>
</div>
