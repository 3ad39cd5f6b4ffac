{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/deals.css">
<div class="page-head">
  <div><h1 id="page-title">My deals dashboard</h1><p class="lead">Welcome, {{USER_NAME}}.</p></div>
  <div class="actions"><a class="button" href="/deals">Board</a></div>
</div>
<section aria-labelledby="today-title">
  <h2 id="today-title" class="visually-hidden">Today</h2>
  <ul class="tiles">
    <li class="tile"><span class="num" id="tasks-today">{{TASKS_TODAY}}</span> <span class="label">Tasks due today</span></li>
    <li class="tile{{#OVERDUE_WARN}} warn{{/OVERDUE_WARN}}"><span class="num" id="tasks-overdue">{{TASKS_OVERDUE}}</span> <span class="label">Overdue tasks</span></li>
    <li class="tile"><span class="num" id="hot-leads">{{HOT_LEADS}}</span> <span class="label">Hot leads</span></li>
    <li class="tile"><span class="num" id="new-matches">{{NEW_MATCHES}}</span> <span class="label">New matches</span></li>
    <li class="tile"><a href="/deals?agent=me"><span class="num" id="open-deals">{{OPEN_TOTAL}}</span> <span class="label">My open deals</span></a></li>
  </ul>
</section>
<div class="cards">
<section class="card" aria-labelledby="open-title">
  <div class="card-head"><h2 id="open-title">My open deals by stage</h2></div>
  <div class="table-wrap" role="region" tabindex="0" aria-labelledby="open-title">
  <table class="list"><caption class="visually-hidden">Open deals by stage</caption>
    <thead><tr><th scope="col">Pipeline</th><th scope="col">Stage</th><th scope="col" class="num">Deals</th><th scope="col" class="num">Value</th></tr></thead>
    <tbody>{{#OPEN}}<tr><td>{{O_PIPELINE}}</td><td>{{O_LABEL}}</td><td class="num">{{O_COUNT}}</td><td class="num">{{O_VALUE}}</td></tr>{{/OPEN}}</tbody>
  </table></div>
</section>
<section class="card" aria-labelledby="hot-title">
  <div class="card-head"><h2 id="hot-title">Hot leads</h2><a href="/leads?stage=hot">All leads</a></div>
  <ul class="plain">{{#HOT}}<li><a href="/leads/{{LEAD_ID}}">{{LEAD_NAME}}</a> <span class="muted">score {{LEAD_SCORE}}</span></li>{{/HOT}}</ul>
</section>
</div>
{{#MANAGER}}<section aria-labelledby="funnel-title" class="funnel">
  <h2 id="funnel-title">Team funnel</h2>
  {{#FUNNEL}}<section class="card" aria-labelledby="funnel-{{FUNNEL_PIPELINE}}">
    <div class="card-head"><h3 id="funnel-{{FUNNEL_PIPELINE}}">{{FUNNEL_LABEL}}</h3></div>
    <div class="charts">
      <canvas class="chart" data-chart="stages" data-pipeline="{{FUNNEL_PIPELINE}}" aria-label="Deals per stage, {{FUNNEL_LABEL}}" role="img"></canvas>
      <canvas class="chart" data-chart="won" data-pipeline="{{FUNNEL_PIPELINE}}" aria-label="Won value per month, {{FUNNEL_LABEL}}" role="img"></canvas>
    </div>
    <div class="table-wrap" role="region" tabindex="0" aria-labelledby="funnel-{{FUNNEL_PIPELINE}}">
    <table class="list funnel-table" data-pipeline="{{FUNNEL_PIPELINE}}"><caption class="visually-hidden">{{FUNNEL_LABEL}} funnel</caption>
      <thead><tr><th scope="col">Stage</th><th scope="col" class="num">Deals now</th><th scope="col" class="num">Reached</th><th scope="col" class="num">To next stage</th><th scope="col" class="num">Median days</th></tr></thead>
      <tbody>{{#FSTAGE}}<tr data-stage="{{F_STAGE}}"><td>{{F_LABEL}}</td><td class="num f-deals">{{F_DEALS}}</td><td class="num">{{F_REACHED}}</td><td class="num">{{F_CONVERSION}}</td><td class="num">{{F_MEDIAN}}</td></tr>{{/FSTAGE}}</tbody>
    </table></div>
  </section>{{/FUNNEL}}
  <section class="card" aria-labelledby="sources-title">
    <div class="card-head"><h3 id="sources-title">Leads by source</h3></div>
    <canvas class="chart" data-chart="sources" data-pipeline="buyer" aria-label="Leads by source" role="img"></canvas>
  </section>
</section>
<script src="/static/vendor/chart.js/dist/chart.umd.min.js" defer></script>
<script src="/static/deals_dashboard.js" defer></script>{{/MANAGER}}
