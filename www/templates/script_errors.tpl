{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="page-title">Script errors</h1>
    <p class="muted">Workflow runs that failed: Lua errors and limit hits (instructions, memory, time), newest first.</p>
  </div>
</div>
<nav class="tabs" aria-label="Settings"><a href="/settings/scripts">Scripts</a><a href="/settings/script-errors" aria-current="page">Script errors</a><a href="/settings/webhooks">Webhooks</a><a href="/settings/outbox">Outbox</a></nav>
{{#EMPTY}}<p class="empty">No script has failed.</p>{{/EMPTY}}
<div class="table-wrap" role="region" aria-labelledby="page-title" tabindex="0">
<table class="list" id="script-errors">
  <caption class="visually-hidden">The last 200 failures, newest first</caption>
  <thead><tr><th scope="col">Script</th><th scope="col">Event</th><th scope="col">Limit</th><th scope="col" class="num">Line</th><th scope="col">Error</th><th scope="col">Time</th></tr></thead>
  <tbody>
  {{#RUN}}<tr>
    <td><a href="/settings/scripts/{{SCRIPT}}">{{SCRIPT}}</a></td><td>{{EVENT}}</td><td>{{LIMIT}}</td><td class="num">{{LINE}}</td>
    <td class="wrap">{{MESSAGE}}</td><td class="nowrap">{{CREATED}}</td>
  </tr>{{/RUN}}
  </tbody>
</table>
</div>
