{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/deals.css">
<div class="page-head">
  <div>
    <h1 id="page-title">{{NAME}}</h1>
    <p class="muted"><span class="ref">{{REF}}</span> · {{TYPE}} · <span class="badge" data-status="{{STAGE}}" id="deal-stage">{{STAGE_LABEL}}</span>{{#CLOSED}} <span class="badge">Closed</span>{{/CLOSED}}</p>
  </div>
  <div class="actions"><a class="button" href="/deals?pipeline={{PIPELINE}}">Board</a></div>
</div>
{{#ERROR}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/ERROR}}
<div class="cards">
<section class="card" aria-labelledby="details-title">
  <div class="card-head"><h2 id="details-title">Details</h2></div>
  <dl class="props">
    <dt>Value</dt><dd id="deal-value">{{VALUE_TEXT}}</dd>
    <dt>Probability</dt><dd>{{PROBABILITY}}%</dd>
    <dt>Commission</dt><dd>{{COMMISSION_PERCENT}}%</dd>
    <dt>Expected close</dt><dd>{{CLOSE_DATE}}</dd>
    {{#HAS_LOST_REASON}}<dt>Lost reason</dt><dd id="deal-lost-reason">{{LOST_REASON}}</dd>{{/HAS_LOST_REASON}}
    <dt>Tags</dt><dd>{{#TAG}}<span class="badge">{{TAG_NAME}}</span> {{/TAG}}</dd>
    {{#CUSTOM_DETAIL}}<dt>{{LABEL}}</dt><dd>{{VALUE}}</dd>{{/CUSTOM_DETAIL}}
  </dl>
  <form method="post" action="/deals/{{ID}}/stage" class="form stage-form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <div class="field"><label for="stage">Stage</label>
      <select id="stage" name="stage">{{#STAGE_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/STAGE_OPT}}</select></div>
    <div class="field"><label for="lost_reason">Lost reason <span class="optional">(for Lost)</span></label>
      <input id="lost_reason" name="lost_reason" maxlength="500"{{#LOST_REASON_ERROR}} aria-invalid="true"{{/LOST_REASON_ERROR}}></div>
    {{#CLOSED}}<label class="check"><input type="checkbox" name="reopen" value="1"> Reopen this deal</label>{{/CLOSED}}
    <div class="actions"><button type="submit" class="primary">Move</button></div>
  </form>
  {{#CUSTOM_FORM}}<form method="post" action="/deals/{{ID}}/custom" class="form" aria-labelledby="custom-title">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <input type="hidden" name="custom_form" value="1">
    <h3 id="custom-title">Custom fields</h3>
    {{>CUSTOM}}
    <div class="actions"><button type="submit">Save custom fields</button></div>
  </form>{{/CUSTOM_FORM}}
</section>
<section class="card" aria-labelledby="contacts-title">
  <div class="card-head"><h2 id="contacts-title">Contacts</h2></div>
  <ul class="plain">{{#CONTACT}}<li><a href="/contacts/{{CONTACT_ID}}">{{CONTACT_NAME}}</a> <span class="muted">{{KIND}} · {{CONTACT_EMAIL}}</span></li>{{/CONTACT}}</ul>
</section>
<section class="card" aria-labelledby="properties-title">
  <div class="card-head"><h2 id="properties-title">Properties</h2></div>
  <ul class="plain">{{#PROPERTY}}<li><a href="/properties/{{PROPERTY_ID}}">{{PROPERTY_REF}}</a> {{PROPERTY_TOWN}} · {{PRICE_TEXT}} <span class="badge" data-status="{{PROPERTY_STATUS}}">{{PROPERTY_STATUS}}</span>{{#PRIMARY}} <span class="badge info">Primary</span>{{/PRIMARY}}</li>{{/PROPERTY}}</ul>
</section>
</div>
{{#MATCHES}}<section class="card" aria-labelledby="matches-title" id="matches">
  <div class="card-head"><h2 id="matches-title">Matching properties</h2></div>
  {{#NO_MATCHES}}<p class="empty muted">No available property fits this deal's search preferences yet.</p>{{/NO_MATCHES}}
  <ul class="plain matches">{{#MATCH}}<li data-property="{{MATCH_ID}}"><a href="/properties/{{MATCH_ID}}">{{MATCH_REF}}</a> {{MATCH_TOWN}} · {{MATCH_PRICE}} · {{MATCH_BEDS}} beds{{#EXACT}} <span class="badge info">Exact fit</span>{{/EXACT}}{{#LINKED}} <span class="badge">Linked</span>{{/LINKED}}{{#LINK_FORM}}<form method="post" action="/deals/{{DEAL_ID}}/properties" class="inline"><input type="hidden" name="_csrf" value="{{CSRF}}"><input type="hidden" name="property_id" value="{{PROPERTY_ID}}"><button type="submit">Link to this deal</button></form>{{/LINK_FORM}}
    <span class="muted why">Fits {{WHY}}{{#STRETCHED}} <span class="stretched">· stretched: {{STRETCH_TEXT}}</span>{{/STRETCHED}}</span>
</li>{{/MATCH}}</ul>
  {{#MORE_MATCHES}}<p class="muted">Showing the first {{SHOWN}} matches.</p>{{/MORE_MATCHES}}
</section>{{/MATCHES}}
<section class="card" aria-labelledby="history-title">
  <div class="card-head"><h2 id="history-title">Stage history</h2></div>
  <ol class="timeline" id="stage-history">
  {{#HISTORY}}<li data-stage="{{TO_STAGE}}"><time datetime="{{ISO}}">{{AT}}</time> <strong>{{TO_LABEL}}</strong> <span class="muted">from {{FROM_LABEL}} · {{WHO}}</span>{{#REASON}}<p class="reason">{{REASON_TEXT}}</p>{{/REASON}}</li>{{/HISTORY}}
  </ol>
</section>
<div class="cards">
<section class="card" aria-labelledby="tasks-title">
  <div class="card-head"><h2 id="tasks-title">Tasks</h2></div>
  <ul class="plain">{{#TASK}}<li><span class="badge" data-status="{{ACT_DONE}}">{{ACT_DONE}}</span> {{ACT_SUBJECT}} <span class="muted">{{ACT_AT}}</span></li>{{/TASK}}</ul>
</section>
<section class="card" aria-labelledby="activities-title">
  <div class="card-head"><h2 id="activities-title">Activities</h2></div>
  <ul class="plain">{{#ACTIVITY}}<li><span class="badge">{{ACT_KIND}}</span> {{ACT_SUBJECT}} <span class="muted">{{ACT_AT}}</span></li>{{/ACTIVITY}}</ul>
  <form method="post" action="/deals/{{ID}}/activities" class="form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <div class="cols">
      <div class="field"><label for="act-kind">Kind</label>
        <select id="act-kind" name="kind"><option value="note">Note</option><option value="call">Call</option><option value="meeting">Meeting</option><option value="task">Task</option></select></div>
      <div class="field"><label for="act-due">Due <span class="optional">(tasks)</span></label><input id="act-due" name="due_at" type="datetime-local"></div>
    </div>
    <div class="field"><label for="act-subject">Subject</label><input id="act-subject" name="subject" maxlength="255" required></div>
    <div class="actions"><button type="submit">Add</button></div>
  </form>
</section>
</div>
