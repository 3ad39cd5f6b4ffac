{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="runs-title">{{NAME}}</h1>
    <p class="muted">{{URL}} · {{FREQUENCY}} · gone listings: {{REMOVAL}}</p>
  </div>
  <div class="actions"><a class="button" href="/feeds">All feeds</a></div>
</div>
{{#EMPTY}}<p class="empty">This feed has not run yet.</p>{{/EMPTY}}
<div class="table-wrap" role="region" aria-labelledby="runs-title" tabindex="0">
<table class="list">
  <caption class="visually-hidden">The last 50 runs, newest first</caption>
  <thead><tr><th scope="col">Started</th><th scope="col">Status</th><th scope="col" class="num">Received</th>
    <th scope="col" class="num">Created</th><th scope="col" class="num">Updated</th><th scope="col" class="num">Unchanged</th>
    <th scope="col" class="num">Withdrawn</th><th scope="col" class="num">Rejected</th><th scope="col" class="num">ms</th><th scope="col">Errors</th></tr></thead>
  <tbody>
  {{#RUN}}<tr>
    <td class="nowrap">{{STARTED}}</td><td><span class="badge" data-status="{{STATUS}}">{{STATUS}}</span></td>
    <td class="num">{{RECEIVED}}</td><td class="num">{{CREATED}}</td><td class="num">{{UPDATED}}</td><td class="num">{{UNCHANGED}}</td>
    <td class="num">{{WITHDRAWN}}</td><td class="num">{{REJECTED}}</td><td class="num">{{DURATION}}</td>
    <td class="wrap">{{#ERROR}}<p>{{MESSAGE}}{{#WHERE}} (line {{LINE}}, column {{COLUMN}}){{/WHERE}}</p>{{/ERROR}}
      {{#REASON}}<p class="small">{{ID}} {{REF}}: {{TEXT}}</p>{{/REASON}}</td>
  </tr>{{/RUN}}
  </tbody>
</table>
</div>
{{#PHOTOS}}<h2 id="photo-failures">Photos</h2>
<p class="muted"><span data-photos-pending>{{PHOTOS_PENDING}}</span> to fetch, <span data-photos-failed>{{PHOTOS_FAILED}}</span> failed. Failed photos are tried again at the next sync.</p>
{{#NO_PHOTO_FAILURES}}<p class="empty">No photo of this feed failed.</p>{{/NO_PHOTO_FAILURES}}
{{#PHOTO_TABLE}}<div class="table-wrap" role="region" aria-labelledby="photo-failures" tabindex="0">
<table class="list" data-photo-failures>
  <caption class="visually-hidden">The first 20 photos that could not be fetched</caption>
  <thead><tr><th scope="col">Listing</th><th scope="col">Photo URL</th><th scope="col">Reason</th><th scope="col">Last tried</th></tr></thead>
  <tbody>
  {{#PHOTO_FAILURE}}<tr>
    <td><a href="/properties/{{PROPERTY_ID}}">{{REF}}</a></td>
    <td class="wrap"><code>{{URL}}</code></td>
    <td class="wrap">{{REASON}}</td>
    <td class="nowrap small">{{TRIED}}</td>
  </tr>{{/PHOTO_FAILURE}}
  </tbody>
</table>
</div>{{/PHOTO_TABLE}}
{{/PHOTOS}}
