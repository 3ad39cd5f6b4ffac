{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/deals.css">
<div class="page-head">
  <div>
    <h1 id="page-title">Deals</h1>
    <p class="muted">{{PIPELINE_LABEL}} pipeline · <span id="board-total">{{TOTAL}}</span> deals</p>
  </div>
  <div class="actions">
    <a class="button" href="/deals/dashboard">Dashboard</a>
    <a class="button primary" href="/deals/new">New deal</a>
  </div>
</div>
<nav class="tabs" aria-label="Pipeline and view">
  <a href="/deals?pipeline=buyer"{{#IS_BUYER}} aria-current="page"{{/IS_BUYER}}>Buyer board</a>
  <a href="/deals?pipeline=owner"{{#IS_OWNER}} aria-current="page"{{/IS_OWNER}}>Owner board</a>
  <a href="/deals/list?pipeline={{PIPELINE}}">List</a>
  <a href="/deals?pipeline={{PIPELINE}}&amp;agent=me"{{#ONLY_MINE}} aria-current="page"{{/ONLY_MINE}}>My deals</a>
</nav>
<p class="flash error board-error" role="alert" id="board-error" hidden></p>
<div class="board" id="board" data-pipeline="{{PIPELINE}}">
{{#COLUMN}}<section class="board-col" data-stage="{{STAGE}}" data-closed="{{CLOSED}}" aria-labelledby="col-{{STAGE}}">
  <header>
    <h2 id="col-{{STAGE}}">{{LABEL}}</h2>
    <p class="col-meta"><span class="col-count" data-count="{{COUNT}}">{{COUNT}}</span><span class="col-sums">{{#SUM}} · <span class="col-sum" data-currency="{{SUM_CURRENCY}}" data-sum="{{SUM_VALUE}}">{{SUM_TEXT}}</span>{{/SUM}}</span></p>
  </header>
  <ol class="cards" data-stage="{{STAGE}}" aria-label="{{LABEL}} deals">
  {{#CARD}}<li class="deal-card" data-id="{{ID}}" data-value="{{VALUE}}" data-currency="{{CURRENCY}}" data-stage="{{STAGE}}">
      <a href="/deals/{{ID}}">{{NAME}}</a>
      <span class="ref">{{REF}}</span>
      <span class="money">{{VALUE_TEXT}}</span>
      <span class="who">{{CONTACT}}</span>
    </li>{{/CARD}}
  </ol>
  {{#MORE}}<a class="more" href="/deals/list?pipeline={{MORE_PIPELINE}}&amp;stage={{MORE_STAGE}}">{{MORE_COUNT}} more</a>{{/MORE}}
</section>
{{/COLUMN}}</div>
<dialog id="lost-dialog" aria-labelledby="lost-title">
  <form method="dialog" class="form" id="lost-form">
    <h2 id="lost-title">Why was this deal lost?</h2>
    <div class="field">
      <label for="lost-reason">Lost reason</label>
      <textarea id="lost-reason" name="lost_reason" maxlength="500" required></textarea>
    </div>
    <div class="actions">
      <button type="submit" class="primary" value="ok">Mark as lost</button>
      <button type="button" id="lost-cancel">Cancel</button>
    </div>
  </form>
</dialog>
<script src="/static/vendor/sortablejs/Sortable.min.js" defer></script>
<script src="/static/deals_board.js" defer></script>
