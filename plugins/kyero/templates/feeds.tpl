{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="feeds-title">Feeds &amp; portals</h1>
    <p class="muted">Kyero XML feeds imported into your listings, their last runs and errors.</p>
  </div>
</div>
{{#EMPTY}}<p class="empty">No import feed yet: add one below.</p>{{/EMPTY}}
<div class="table-wrap" role="region" aria-labelledby="feeds-title" tabindex="0">
<table class="list">
  <caption class="visually-hidden">Import feeds and their last run</caption>
  <thead><tr><th scope="col">Feed</th><th scope="col">Sync</th><th scope="col">Last run</th>
    <th scope="col" class="num">Received</th><th scope="col" class="num">Created</th><th scope="col" class="num">Updated</th>
    <th scope="col" class="num">Unchanged</th><th scope="col" class="num">Withdrawn</th><th scope="col" class="num">Rejected</th>
    <th scope="col" class="num">Photos to fetch</th><th scope="col" class="num">Photos failed</th>
    <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  {{#FEED}}<tr>
    <td class="wrap"><a href="/feeds/{{ID}}">{{NAME}}</a><br><span class="muted small">{{URL}}</span></td>
    <td>{{FREQUENCY}}</td>
    <td class="wrap">{{#RUN}}<span class="badge" data-status="{{STATUS}}">{{STATUS}}</span> <span class="nowrap small">{{STARTED}}</span>{{/RUN}}{{#NEVER}}<span class="muted">never</span>{{/NEVER}}
      {{#ERROR}}<br><span class="small" data-feed-error>{{MESSAGE}}</span>{{/ERROR}}
      {{#FAILING}}<br><span class="badge bad">{{FAILURES}} failed runs in a row</span>{{/FAILING}}</td>
    <td class="num">{{RECEIVED}}</td><td class="num">{{CREATED}}</td><td class="num">{{UPDATED}}</td>
    <td class="num">{{UNCHANGED}}</td><td class="num">{{WITHDRAWN}}</td><td class="num">{{REJECTED}}</td>
    <td class="num" data-photos-pending>{{PHOTOS_PENDING}}</td>
    <td class="num" data-photos-failed>{{#PHOTOS_BAD}}<a href="/feeds/{{ID}}#photo-failures" class="badge bad">{{/PHOTOS_BAD}}{{PHOTOS_FAILED}}{{#PHOTOS_BAD}}</a>{{/PHOTOS_BAD}}</td>
    <td>{{#CAN_SYNC}}<form method="post" action="/feeds/{{ID}}/sync"><input type="hidden" name="_csrf" value="{{CSRF}}"><button type="submit" class="small">Sync now</button></form>{{/CAN_SYNC}}</td>
  </tr>{{/FEED}}
  </tbody>
</table>
</div>
{{#CAN_EDIT}}<h2 id="new-feed">Add a feed</h2>
{{#FORM_ERROR}}<p class="flash bad" role="alert">{{MESSAGE}}</p>{{/FORM_ERROR}}
<form method="post" action="/feeds" class="form" aria-labelledby="new-feed">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  <div class="field"><label for="feed-name">Name</label><input id="feed-name" name="name" required maxlength="100"></div>
  <div class="field grow"><label for="feed-url">Feed URL (http or https)</label><input id="feed-url" name="url" type="url" maxlength="1000"></div>
  <div class="field"><label for="feed-frequency">Sync</label>
    <select id="feed-frequency" name="frequency"><option value="daily">daily</option><option value="hourly">hourly</option><option value="manual">manual</option></select></div>
  <div class="field"><label for="feed-removal">Listings gone from the feed</label>
    <select id="feed-removal" name="removal"><option value="removed_by_feed">removed by feed</option><option value="off_market">off market</option><option value="ignore">keep as they are</option></select></div>
  <div class="actions"><button type="submit" class="primary">Add feed</button></div>
</form>{{/CAN_EDIT}}
{{#PORTALS}}<h2 id="portals">Portals</h2>
<p class="muted">Each portal reads your published, available listings at a secret address. Connecting again makes a new address; the old one stops working.</p>
<div class="table-wrap" role="region" aria-labelledby="portals" tabindex="0">
<table class="list">
  <caption class="visually-hidden">Portals this install publishes to</caption>
  <thead><tr><th scope="col">Portal</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  {{#PORTAL}}<tr>
    <td>{{LABEL}}</td>
    <td class="wrap">{{CONNECTED}}{{#NEW_URL}}<br><strong>Feed address (shown once):</strong> <code data-feed-url>{{URL}}</code>{{/NEW_URL}}</td>
    <td><form method="post" action="/feeds/portals/{{CODE}}"><input type="hidden" name="_csrf" value="{{CSRF}}">{{#NEEDS_CODE}}<label for="code-{{CODE}}">Customer code</label> <input id="code-{{CODE}}" name="customer_code" maxlength="100"> {{/NEEDS_CODE}}<button type="submit" class="small">Connect {{LABEL}}</button></form></td>
  </tr>{{/PORTAL}}
  </tbody>
</table>
</div>{{/PORTALS}}
