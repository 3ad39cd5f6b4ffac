{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/properties.css">
<div class="page-head">
  <div><h1 id="page-title">Matching properties for {{LEAD_NAME}}</h1>
    <p class="muted">Exact fits first; a stretched fit is inside the tolerance.</p></div>
</div>
{{#EMPTY}}<p class="empty">No available property fits these preferences.</p>{{/EMPTY}}
<ol class="matches" id="lead-matches">
{{#MATCH}}<li data-id="{{ID}}">
  <a href="/properties/{{ID}}">{{REF}}</a> · {{TYPE}} · {{TOWN}} · {{PRICE}} <span class="badge">{{FIT}}</span>
  <ul class="small">{{#REASON}}<li>{{TEXT}}</li>{{/REASON}}{{#STRETCH}}<li class="warn">{{TEXT}}</li>{{/STRETCH}}</ul>
  <button type="button" class="small" data-api-action data-method="POST" data-url="/api/v1/leads/{{LEAD_ID}}/matches/{{ID}}/dismiss">Dismiss</button>
</li>{{/MATCH}}
</ol>
