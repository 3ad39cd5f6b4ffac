{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/properties.css">
<div class="page-head">
  <div>
    <h1 id="page-title">Properties</h1>
    <p class="muted">{{TOTAL}} properties</p>
  </div>
  <div class="actions">
    <a class="button" href="/properties/map?{{MAP_QUERY}}">Map</a>
    <a class="button" href="/properties/mls-check">MLS status check</a>
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
  <div class="actions"><button type="submit">Filter</button></div>
</form>

<div id="results">
  <div class="batch-bar">
    <span>Selected: <output data-selected-count>0</output></span>
    <button type="button" class="small danger" data-batch="delete">Delete</button>
  </div>
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
      <td><a href="/properties/{{ID}}">{{REF}}</a> <span class="muted small">{{TITLE_TEXT}}</span></td>
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
</div>
<script src="/static/properties.js" defer></script>
