{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/deals.css">
<div class="page-head">
  <div><h1 id="page-title">Deals</h1><p class="muted">{{TOTAL}} deals</p></div>
  <div class="actions"><a class="button primary" href="/deals/new">New deal</a></div>
</div>
<nav class="tabs" aria-label="Pipeline and view">
  <a href="/deals?pipeline=buyer">Buyer board</a>
  <a href="/deals?pipeline=owner">Owner board</a>
  <a href="/deals/list"{{#IS_LIST}} aria-current="page"{{/IS_LIST}}>List</a>
</nav>
<nav class="tabs" aria-label="Saved views">
  <a href="/deals/list"{{#ALL_CURRENT}} aria-current="page"{{/ALL_CURRENT}}>All deals</a>
  {{#VIEW}}<a href="{{VIEW_HREF}}"{{#VIEW_CURRENT}} aria-current="page"{{/VIEW_CURRENT}}>{{VIEW_NAME}}</a>{{/VIEW}}
</nav>
{{#ERROR}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/ERROR}}
<form class="toolbar" method="get" action="/deals/list" role="search" aria-label="Filter deals">
  <div class="field grow"><label for="q">Search</label><input id="q" name="q" type="search" value="{{Q}}"></div>
  <div class="field"><label for="pipeline">Pipeline</label>
    <select id="pipeline" name="pipeline">{{#PIPELINE_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/PIPELINE_OPT}}</select></div>
  <div class="field"><label for="status">Status</label>
    <select id="status" name="status">{{#STATUS_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/STATUS_OPT}}</select></div>
  <div class="actions"><button type="submit">Filter</button></div>
</form>
<div id="results">
  <p class="list-meta"><span>{{TOTAL}} deals</span></p>
  {{#EMPTY}}<p class="empty">No deals match these filters.</p>{{/EMPTY}}
  <div class="table-wrap" role="region" tabindex="0" aria-labelledby="page-title">
    <table class="list">
      <caption class="visually-hidden">Deals</caption>
      <thead><tr><th scope="col">Ref</th><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Stage</th>
        <th scope="col" class="num">Value</th><th scope="col">Main contact</th><th scope="col">Agent</th><th scope="col">Expected close</th></tr></thead>
      <tbody>
      {{#ROW}}<tr>
        <td class="nowrap">{{REF}}</td><td><a href="/deals/{{ID}}">{{NAME}}</a></td><td>{{TYPE}}</td>
        <td><span class="badge" data-status="{{STAGE}}">{{STAGE_LABEL}}</span></td>
        <td class="num">{{VALUE_TEXT}}</td><td>{{CONTACT}}</td><td>{{AGENT}}</td><td class="nowrap">{{CLOSE_DATE}}</td>
      </tr>{{/ROW}}
      </tbody>
    </table>
  </div>
  {{#NEXT}}<nav class="pager" aria-label="Pages"><a href="{{HREF}}" rel="next">Next page</a></nav>{{/NEXT}}
</div>
