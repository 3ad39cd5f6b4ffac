{{%AUTOESCAPE context="HTML"}}<div id="import-status"{{#POLL}} hx-get="/imports/{{ID}}" hx-trigger="every 1s" hx-select="#import-status" hx-target="#import-status" hx-swap="outerHTML"{{/POLL}}>
<div class="page-head">
  <div>
    <h1 id="page-title">{{TITLE}}</h1>
    <p class="muted">{{FILENAME}} · {{KIND_LABEL}} · <span class="badge" data-status="{{STATUS}}">{{STATUS}}</span></p>
  </div>
  <div class="actions"><a class="button" href="/imports/new">Import another file</a></div>
</div>

<section class="card" aria-labelledby="progress-label">
  <p id="progress-label">{{ROWS_DONE}} of {{ROWS_TOTAL}} rows</p>
  <progress max="100" value="{{PERCENT}}" aria-labelledby="progress-label">{{PERCENT}}%</progress>
  {{#POLL}}<p class="muted small">This page follows the import; <a href="/imports/{{ID}}">refresh</a> if it does not.</p>{{/POLL}}
</section>

{{#FAILED}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>
<form method="post" action="/imports/{{ID}}/run" class="form">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  <div class="actions"><button type="submit" class="primary">Resume the import</button></div>
</form>{{/FAILED}}

{{#FINISHED}}<ul class="tiles" aria-label="Import counts">
  {{/FINISHED}}{{#TILE}}<li class="tile {{TONE}}"><span class="num">{{NUM}}</span> <span class="label">{{LABEL}}</span></li>{{/TILE}}{{#FINISHED}}
</ul>
<p><a class="button" href="/imports/{{ID}}/report">Download the report (CSV)</a></p>{{/FINISHED}}
</div>
