{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/deals.css"><script src="/static/columns.js" defer></script>
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
{{#NOTICE}}<p class="flash" role="status"><span class="msg">{{MESSAGE}}</span></p>{{/NOTICE}}
{{#ERROR}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/ERROR}}
<form class="toolbar" method="get" action="/deals/list" role="search" aria-label="Filter deals">
  <div class="field grow"><label for="q">Search</label><input id="q" name="q" type="search" value="{{Q}}"></div>
  <div class="field"><label for="pipeline">Pipeline</label>
    <select id="pipeline" name="pipeline">{{#PIPELINE_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/PIPELINE_OPT}}</select></div>
  <div class="field"><label for="status">Status</label>
    <select id="status" name="status">{{#STATUS_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/STATUS_OPT}}</select></div>
  <div class="actions"><button type="submit">Filter</button></div>
</form>
<form class="toolbar" method="post" action="/deals/list/views" aria-label="Save these filters as a view">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  {{#KEEP}}<input type="hidden" name="{{KEEP_NAME}}" value="{{KEEP_VALUE}}">{{/KEEP}}
  <input type="hidden" name="sort" value="{{SORT}}">
  <input type="hidden" name="columns" value="{{VIEW_COLUMNS}}" data-columns-input="deals">
  <div class="field"><label for="view-name">Save as view</label><input id="view-name" name="name" required maxlength="100"></div>
  {{#CAN_SHARE}}<label class="check"><input type="checkbox" name="shared" value="1"> Share with the team</label>{{/CAN_SHARE}}
  <div class="actions"><button type="submit" class="small">Save view</button></div>
</form>
{{#CAN_BATCH}}<form id="batch" class="toolbar batch-bar" method="post" action="/deals/list/batch" aria-label="Change the ticked deals">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  <div class="field"><label for="batch-stage">Stage</label>
    <select id="batch-stage" name="stage"><option value="">Unchanged</option>{{#BATCH_PIPELINE}}<optgroup label="{{LABEL}}">{{#BATCH_STAGE}}<option value="{{VALUE}}">{{LABEL}}</option>{{/BATCH_STAGE}}</optgroup>{{/BATCH_PIPELINE}}</select></div>
  <div class="field"><label for="batch-reason">Lost reason</label><input id="batch-reason" name="lost_reason" maxlength="500"></div>
  <div class="field"><label for="batch-agent">Agent</label>
    <select id="batch-agent" name="agent_id"><option value="">Unchanged</option><option value="none">Nobody</option>{{#BATCH_AGENT}}<option value="{{VALUE}}">{{LABEL}}</option>{{/BATCH_AGENT}}</select></div>
  <div class="field"><label for="batch-tags-add">Add tags</label><input id="batch-tags-add" name="tags_add" placeholder="hot, spring"></div>
  <div class="field"><label for="batch-tags-remove">Remove tags</label><input id="batch-tags-remove" name="tags_remove"></div>
  <div class="actions"><button type="submit">Apply to ticked deals</button></div>
</form>{{/CAN_BATCH}}
<div id="results">
  <p class="list-meta"><span>{{TOTAL}} deals</span></p>
  {{#EMPTY}}<p class="empty">No deals match these filters.</p>{{/EMPTY}}
  <div class="table-wrap" role="region" tabindex="0" aria-labelledby="page-title">
    <details class="column-chooser" data-columns-for="deals"><summary>Columns</summary></details>
    <table class="list" data-columns="deals" data-view-columns="{{VIEW_COLUMNS}}">
      <caption class="visually-hidden">Deals</caption>
      <thead><tr>{{#CAN_BATCH}}<th scope="col"><span class="visually-hidden">Select</span></th>{{/CAN_BATCH}}<th scope="col" data-col="ref">Ref</th><th scope="col" data-col="name">Name</th><th scope="col" data-col="type">Type</th><th scope="col" data-col="stage">Stage</th>
        <th scope="col" class="num" data-col="value">Value</th><th scope="col" data-col="main_contact">Main contact</th><th scope="col" data-col="agent">Agent</th><th scope="col" data-col="expected_close">Expected close</th></tr></thead>
      <tbody>
      {{#ROW}}<tr>
        {{#CAN_BATCH}}<td><input type="checkbox" name="id" value="{{ID}}" form="batch" aria-label="Select {{NAME}}"></td>{{/CAN_BATCH}}
        <td class="nowrap">{{REF}}</td><td><a href="/deals/{{ID}}">{{NAME}}</a></td><td>{{TYPE}}</td>
        <td><span class="badge" data-status="{{STAGE}}">{{STAGE_LABEL}}</span></td>
        <td class="num">{{VALUE_TEXT}}</td><td>{{CONTACT}}</td><td>{{AGENT}}</td><td class="nowrap">{{CLOSE_DATE}}</td>
      </tr>{{/ROW}}
      </tbody>
    </table>
  </div>
  {{#NEXT}}<nav class="pager" aria-label="Pages"><a href="{{HREF}}" rel="next">Next page</a></nav>{{/NEXT}}
</div>
