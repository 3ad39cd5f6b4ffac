{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/properties.css">
<div class="page-head">
  <div><h1 id="page-title">MLS status check</h1>
    <p class="muted">Sold, rented, cancelled or off-market properties that are still published on a portal.</p></div>
  {{#ANY}}<div class="actions"><button type="button" class="primary danger" data-api-action data-method="POST" data-url="/api/v1/properties/mls-check/depublish" data-confirm="End every publication of these properties?">Depublish all ({{COUNT}})</button></div>{{/ANY}}
</div>
{{#CLEAN}}<p class="empty" id="mls-clean">Nothing to clean up: no unavailable property is published.</p>{{/CLEAN}}
{{#ANY}}<div class="table-wrap" role="region" aria-labelledby="page-title" tabindex="0">
<table class="list" id="mls-stale">
  <thead><tr><th scope="col">Ref</th><th scope="col">Status</th><th scope="col">MLS</th><th scope="col">Published</th><th scope="col">Agent</th></tr></thead>
  <tbody>
  {{#STALE}}<tr><td><a href="/properties/{{ID}}">{{REF}}</a></td><td><span class="badge" data-status="{{STATUS}}">{{STATUS}}</span></td><td>{{PORTALS}}</td><td class="nowrap">{{PUBLISHED_AT}}</td><td>{{AGENT_NAME}}</td></tr>{{/STALE}}
  </tbody>
</table>
</div>{{/ANY}}
<script src="/static/properties.js" defer></script>
