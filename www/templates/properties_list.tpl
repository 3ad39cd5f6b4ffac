{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/properties.css">
<div class="page-head">
  <div>
    <h1 id="page-title">Properties</h1>
    <p class="muted">{{TOTAL}} properties</p>
  </div>
  <div class="actions">
    <a class="button" href="/properties/map?{{MAP_QUERY}}">Map</a>
    <a class="button" href="/properties/mls-check">MLS status check</a>
    <a class="button" href="/properties/projects">New-build projects</a>
    <a class="button primary" href="/properties/new">New property</a>
  </div>
</div>

<nav class="tabs" aria-label="Saved views">
  {{#VIEW}}<a href="{{HREF}}">{{NAME}}</a>{{/VIEW}}
</nav>

<form class="toolbar" method="get" action="/properties" role="search" aria-label="Filter properties">
  <div class="field grow"><label for="q">Search</label>
    <input id="q" name="q" type="search" value="{{Q}}"></div>
  <div class="field"><label for="status">Status</label>
    <select id="status" name="status">{{#STATUS_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/STATUS_OPT}}</select></div>
  <div class="field"><label for="town">Town</label>
    <input id="town" name="town" value="{{TOWN}}"></div>
  <label class="check"><input type="checkbox" name="incomplete" value="1"{{#INCOMPLETE_ON}} checked{{/INCOMPLETE_ON}}> Incomplete only</label>
  {{#DELETED_VIEW}}<input type="hidden" name="deleted" value="1">{{/DELETED_VIEW}}
  {{#PROJECT_FILTER}}<input type="hidden" name="project_id" value="{{PROJECT_ID}}">{{/PROJECT_FILTER}}
  <div class="actions"><button type="submit">Filter</button></div>
</form>

{{#PROJECT_FILTER}}<p class="flash info" id="project-filter">Units of <a href="/properties/projects/{{PROJECT_ID}}">{{PROJECT_NAME}}</a> · <a href="/properties">All properties</a></p>{{/PROJECT_FILTER}}
{{#DELETED_VIEW}}<p class="flash info">Deleted properties: they can be restored, or (by an admin) deleted for good with their files.</p>{{/DELETED_VIEW}}
<div class="flash" role="status" aria-live="polite" data-batch-result hidden><span data-batch-result-text></span>
  <button type="button" class="small" data-batch-undo hidden>Undo</button></div>
<div class="flash warn" role="alertdialog" aria-modal="false" aria-labelledby="batch-confirm-text" data-batch-confirm hidden>
  <p id="batch-confirm-text" data-batch-confirm-text></p>
  <p class="error" data-batch-confirm-error hidden></p>
  <div class="actions">
    <button type="button" class="danger" data-batch-confirm-yes>Delete for good</button>
    <button type="button" data-batch-confirm-no>Cancel</button>
  </div>
</div>

<form id="results" data-batch-form>
  {{#MAY_BATCH}}<div class="batch-bar" data-batch-bar data-total="{{BATCH_TOTAL}}">
    <span>Selected: <output data-selected-count>0</output></span>
    {{#FILTER_SCOPE}}<label class="check small"><input type="checkbox" data-batch-all data-filter="{{FILTER_JSON}}" data-count="{{COUNT}}"> All {{COUNT}} matching the filter</label>{{/FILTER_SCOPE}}
    {{#LIVE}}<button type="button" class="small danger" data-batch="delete">Delete</button>{{/LIVE}}
    {{#BIN}}<button type="button" class="small" data-batch="restore">Undo delete</button>
    {{#MAY_HARD}}<button type="button" class="small danger" data-batch="hard_delete">Delete for good…</button>{{/MAY_HARD}}{{/BIN}}
    <p class="error" data-batch-error hidden></p>
  </div>{{/MAY_BATCH}}
  <div class="table-wrap" role="region" aria-labelledby="page-title" tabindex="0">
  <table class="list">
    <caption class="visually-hidden">Properties</caption>
    <thead><tr>
      <th scope="col" class="check"><input type="checkbox" data-select-all aria-label="Select all"></th>
      <th scope="col"><a href="{{SORT_REF}}">Ref</a></th>
      <th scope="col">Status</th>
      <th scope="col">Type</th>
      <th scope="col">Town</th>
      <th scope="col" class="num"><a href="{{SORT_PRICE}}">Price</a></th>
      <th scope="col">MLS</th>
      <th scope="col"><a href="{{SORT_PUBLISHED_AT}}">Published</a></th>
      <th scope="col">Agent</th>
      <th scope="col" class="num"><a href="{{SORT_WEB_VIEWS}}">Web views</a></th>
      <th scope="col" class="num"><a href="{{SORT_LEAD_COUNT}}">Leads</a></th>
      <th scope="col" class="num"><a href="{{SORT_COMPLETENESS}}">Complete</a></th>
    </tr></thead>
    <tbody>
    {{#PROPERTY}}<tr data-id="{{ID}}">
      <td class="check"><input type="checkbox" name="id" value="{{ID}}" aria-label="Select {{REF}}"></td>
      <td>{{#LINKED}}<a href="/properties/{{ID}}">{{REF}}</a>{{/LINKED}}{{#GONE}}{{REF}} <span class="badge bad">deleted</span>{{/GONE}} <span class="muted small">{{TITLE_TEXT}}</span></td>
      <td><span class="badge" data-status="{{STATUS}}">{{STATUS}}</span></td>
      <td>{{TYPE}}</td>
      <td>{{TOWN}}</td>
      <td class="num nowrap">{{PRICE}}</td>
      <td class="mls">{{PORTALS}}</td>
      <td class="nowrap">{{PUBLISHED}}</td>
      <td>{{AGENT_NAME}}</td>
      <td class="num">{{WEB_VIEWS}}</td>
      <td class="num">{{LEAD_COUNT}}</td>
      <td class="num">{{COMPLETENESS}}%</td>
    </tr>{{/PROPERTY}}
    </tbody>
  </table>
  </div>
  {{#EMPTY}}<p class="empty">No properties match these filters.</p>{{/EMPTY}}
  <nav class="pager" aria-label="Pages">
    <span>{{TOTAL}} properties</span>
    <span class="actions">{{#NEXT}}<a class="button small" href="{{HREF}}" rel="next">Next</a>{{/NEXT}}</span>
  </nav>
</form>
<script src="/static/properties.js" defer></script>
