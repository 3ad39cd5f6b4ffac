{{%AUTOESCAPE context="HTML"}}<script src="/static/columns.js" defer></script>
<div class="page-head">
  <div>
    <h1 id="page-title">{{HEADING}}</h1>
    <p class="muted">{{TOTAL}} {{COLL}}</p>
  </div>
  <div class="actions">
    <a class="button" href="{{EXPORT_HREF}}">Export CSV</a>
    {{#CAN_EDIT}}<a class="button" href="{{IMPORT_HREF}}">Import CSV</a>{{/CAN_EDIT}}
    {{#CAN_EDIT}}<a class="button primary" href="{{NEW_HREF}}">New {{ONE}}</a>{{/CAN_EDIT}}
  </div>
</div>

<nav class="tabs" aria-label="Saved views">
  {{#VIEW}}<a href="{{VIEW_HREF}}"{{#CURRENT}} aria-current="page"{{/CURRENT}}>{{VIEW_NAME}}</a>{{/VIEW}}
</nav>

<form class="toolbar" method="get" action="{{LIST_HREF}}" role="search" aria-label="Filter {{COLL}}"
      hx-get="{{LIST_HREF}}" hx-target="#results" hx-select="#results" hx-swap="outerHTML" hx-push-url="true">
  {{#IN_VIEW}}<input type="hidden" name="view" value="{{VIEW_ID}}">{{/IN_VIEW}}
  <div class="field grow"><label for="q">Search</label>
    <input id="q" name="q" type="search" value="{{Q}}"></div>
  <div class="field"><label for="f-status">Status</label>
    <select id="f-status" name="status">{{#STATUS_OPT}}<option value="{{OPT_VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT_LABEL}}</option>{{/STATUS_OPT}}</select></div>
  {{#PERSON_FILTERS}}
  <div class="field"><label for="f-stage">Stage</label>
    <select id="f-stage" name="stage">{{#STAGE_OPT}}<option value="{{OPT_VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT_LABEL}}</option>{{/STAGE_OPT}}</select></div>
  <div class="field"><label for="f-source">Source</label>
    <select id="f-source" name="source">{{#SOURCE_OPT}}<option value="{{OPT_VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT_LABEL}}</option>{{/SOURCE_OPT}}</select></div>
  <label class="check"><input type="checkbox" name="agent_id" value="me"{{#MINE}} checked{{/MINE}}> Mine only</label>
  {{/PERSON_FILTERS}}
  <div class="field"><label for="f-tag">Tag</label>
    <input id="f-tag" name="tag" value="{{TAG}}"></div>
  {{#CUSTOM_FILTER}}<div class="field"><label for="f-{{CF_ID}}">{{CF_LABEL}}</label>
    <select id="f-{{CF_ID}}" name="{{CF_NAME}}">{{#CF_OPT}}<option value="{{OPT_VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT_LABEL}}</option>{{/CF_OPT}}</select></div>{{/CUSTOM_FILTER}}
  <div class="actions"><button type="submit">Filter</button>
    <span class="htmx-indicator" aria-hidden="true"><span class="spinner"></span></span></div>
</form>

<div id="results">
  {{#FILTER_ERROR}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/FILTER_ERROR}}
  <form method="post" action="{{LIST_HREF}}/views" class="toolbar" aria-label="Save these filters as a view">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    {{#KEEP}}<input type="hidden" name="{{KEEP_NAME}}" value="{{KEEP_VALUE}}">{{/KEEP}}
    <input type="hidden" name="columns" value="{{VIEW_COLUMNS}}" data-columns-input="{{COLUMNS_KEY}}">
    <div class="field"><label for="view-name">Save as view</label>
      <input id="view-name" name="name" required maxlength="100"></div>
    {{#CAN_EDIT}}<label class="check"><input type="checkbox" name="shared" value="1"> Share with the team</label>{{/CAN_EDIT}}
    <div class="actions"><button type="submit" class="small">Save view</button></div>
  </form>

  <p class="list-meta"><span>{{TOTAL}} {{COLL}}</span></p>
  <details class="column-chooser" data-columns-for="{{COLUMNS_KEY}}">
    <summary>Columns</summary>
    <p class="hint">Shown columns, in order; saved with a view and remembered here.</p>
  </details>

  <form method="post" action="{{LIST_HREF}}/batch">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <input type="hidden" name="back" value="{{BACK}}">
    {{#CAN_EDIT}}
    <div class="batch-bar">
      <span>Selected: <output data-selected-count>0</output></span>
      {{#KEEP}}<input type="hidden" name="{{KEEP_NAME}}" value="{{KEEP_VALUE}}">{{/KEEP}}
      <label class="check"><input type="checkbox" name="scope" value="filter" data-batch-all
        data-confirm="Apply this to all {{TOTAL}} {{COLL}} matching the filter?">
        Apply to all <strong>{{TOTAL}}</strong> matching the filter</label>
      <label class="visually-hidden" for="batch-status">New status</label>
      <select id="batch-status" name="status">{{#BATCH_STATUS_OPT}}<option value="{{OPT_VALUE}}">{{OPT_LABEL}}</option>{{/BATCH_STATUS_OPT}}</select>
      <button type="submit" name="action" value="set_status" class="small">Set status</button>
      <label class="visually-hidden" for="batch-tag">Tag to add or remove</label>
      <input id="batch-tag" name="tag" placeholder="tag">
      <button type="submit" name="action" value="add_tag" class="small">Add tag</button>
      <button type="submit" name="action" value="remove_tag" class="small">Remove tag</button>
      <button type="submit" name="action" value="assign_me" class="small">Assign to me</button>
      <button type="submit" name="action" value="delete" class="small danger">Delete</button>
    </div>
    {{/CAN_EDIT}}
    <div class="table-wrap" role="region" aria-labelledby="page-title" tabindex="0">
    <table class="list" data-columns="{{COLUMNS_KEY}}" data-view-columns="{{VIEW_COLUMNS}}">
      <caption class="visually-hidden">{{HEADING}}</caption>
      <thead><tr>
        <th scope="col" class="check"><input type="checkbox" data-select-all aria-label="Select all"></th>
        <th scope="col" data-col="name" aria-sort="{{ARIA_NAME}}"><a href="{{SORT_NAME}}">Name</a></th>
        <th scope="col" data-col="status">Status</th>
        <th scope="col" data-col="{{SECOND_COL}}">{{SECOND_HEAD}}</th>
        <th scope="col" data-col="{{THIRD_COL}}">{{THIRD_HEAD}}</th>
        <th scope="col" data-col="email">Email or phone</th>
        <th scope="col" data-col="tags">Tags</th>
        <th scope="col" data-col="created_at" aria-sort="{{ARIA_CREATED}}"><a href="{{SORT_CREATED}}">Created</a></th>
      </tr></thead>
      <tbody>
      {{#ROW}}<tr>
        <td class="check"><input type="checkbox" name="id" value="{{ID}}" aria-label="Select {{NAME}}"></td>
        <td><a href="{{HREF}}">{{NAME}}</a></td>
        <td><span class="badge" data-status="{{STATUS}}">{{STATUS_LABEL}}</span></td>
        <td>{{SECOND}}</td>
        <td>{{THIRD}}</td>
        <td>{{CONTACT}}</td>
        <td>{{TAGS}}</td>
        <td class="nowrap">{{CREATED}}</td>
      </tr>{{/ROW}}
      </tbody>
    </table>
    </div>
  </form>
  {{#EMPTY}}<p class="empty">No {{COLL}} match these filters.</p>{{/EMPTY}}

  <nav class="pager" aria-label="Pages">
    <span>{{TOTAL}} {{COLL}}</span>
    <span class="actions">
      {{#FIRST}}<a class="button small" href="{{HREF}}">First page</a>{{/FIRST}}
      {{#NEXT}}<a class="button small" href="{{HREF}}" rel="next">Next</a>{{/NEXT}}
    </span>
  </nav>
</div>
