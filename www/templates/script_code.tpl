{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="page-title">Script {{NAME}}</h1>
    <p class="muted">In effect: <span id="in-effect">{{IN_EFFECT}}</span>. Saving adds a new version; every version is kept.</p>
  </div>
  <div class="actions">{{#IS_SCORER}}<span class="badge" data-status="active" id="scorer-state">Active scorer</span>{{/IS_SCORER}}{{#CAN_ACTIVATE}}<form method="post" action="/settings/scripts/{{NAME}}/activate" class="inline">
    <input type="hidden" name="_csrf" value="{{CSRF}}"><button type="submit">Make active scorer</button></form>{{/CAN_ACTIVATE}}
    <a class="button" href="/settings/scripts">All scripts</a></div>
</div>
<nav class="tabs" aria-label="Settings"><a href="/settings/scripts" aria-current="page">Scripts</a><a href="/settings/script-errors">Script errors</a><a href="/settings/webhooks">Webhooks</a><a href="/settings/outbox">Outbox</a></nav>
<form method="post" action="/settings/scripts/{{NAME}}" class="form card editor" id="code-form">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  <div class="field">
    <label for="code">Lua source</label>
    <textarea id="code" name="code" rows="24" spellcheck="false" class="code" aria-describedby="code-hint{{#CODE_ERROR}} code-error{{/CODE_ERROR}}"{{#CODE_ERROR}} aria-invalid="true"{{/CODE_ERROR}}>
{{CODE:pre_escape}}</textarea>
    <p class="hint" id="code-hint">score(lead, signals) makes a scorer, on(event, fn) a workflow, field{...} custom fields.</p>
    {{#CODE_ERROR}}<p class="error" id="code-error" role="alert">{{#LINE}}<strong class="line">Line {{LINE_NO}}:</strong> {{/LINE}}<span>{{MESSAGE}}</span></p>{{/CODE_ERROR}}
  </div>
  <div class="actions"><button type="submit" class="primary">Save as new version</button></div>
</form>

<section class="card" aria-labelledby="test-title">
  <div class="card-head"><h2 id="test-title">Test run</h2></div>
  <p class="muted">Runs the script in effect against one record; nothing is saved.</p>
  <form method="post" action="/settings/scripts/{{NAME}}/test" class="form" id="test-form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <div class="cols">
      <div class="field">
        <label for="record_id">Record id</label>
        <input id="record_id" name="record_id" inputmode="numeric" value="{{RECORD_ID}}" required>
      </div>
      <div class="field">
        <label for="event">Event <span class="optional">(optional, for workflows)</span></label>
        <input id="event" name="event" value="{{EVENT}}" placeholder="lead.created">
      </div>
    </div>
    <div class="actions"><button type="submit">Test run</button></div>
  </form>
  {{#TEST_ERROR}}<p class="flash error" role="alert" id="test-error">{{#LINE}}<strong class="line">Line {{LINE_NO}}:</strong> {{/LINE}}<span>{{MESSAGE}}</span></p>{{/TEST_ERROR}}
  {{#TEST_RESULT}}<div id="test-result" role="status">
    {{#SCORE}}<p class="lead">Score <strong id="test-score">{{SCORE_VALUE}}</strong> <span class="badge" data-status="{{TEMPERATURE}}">{{TEMPERATURE}}</span></p>{{/SCORE}}
    <pre class="mail">{{JSON:pre_escape}}</pre>
  </div>{{/TEST_RESULT}}
</section>

<section class="card" aria-labelledby="versions-title">
  <div class="card-head"><h2 id="versions-title">Versions</h2></div>
  {{#NO_VERSIONS}}<p class="empty">{{MESSAGE}}</p>{{/NO_VERSIONS}}
  {{#HAS_VERSIONS}}<div class="table-wrap" role="region" aria-labelledby="versions-title" tabindex="0">
  <table class="list" id="versions">
    <caption class="visually-hidden">Versions, newest first</caption>
    <thead><tr><th scope="col" class="num">Version</th><th scope="col">Kind</th><th scope="col">Saved</th><th scope="col">By</th><th scope="col">Action</th></tr></thead>
    <tbody>
    {{#VERSION}}<tr data-version="{{NUMBER}}">
      <td class="num">{{NUMBER}}</td><td>{{KIND}}</td><td class="nowrap">{{CREATED}}</td><td>{{BY}}</td>
      <td>{{#CURRENT}}<span class="badge" data-status="active">In effect</span>{{/CURRENT}}{{#CAN_ROLLBACK}}<form method="post" action="/settings/scripts/{{NAME}}/rollback" class="inline">
        <input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="version" value="{{NUMBER}}">
        <button type="submit" class="small">Roll back to v{{NUMBER}}</button></form>{{/CAN_ROLLBACK}}</td>
    </tr>{{/VERSION}}
    </tbody>
  </table>
  </div>{{/HAS_VERSIONS}}
</section>
