{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="page-title">Deliveries of {{WEBHOOK_NAME}}</h1>
    <p class="muted">{{WEBHOOK_URL}}. Retried after 1 min, 5 min, 30 min and 2 h, then failed until retried here.</p>
  </div>
  <div class="actions"><a class="button" href="/settings/webhooks">All webhooks</a></div>
</div>
<nav class="tabs" aria-label="Settings"><a href="/settings/scripts">Scripts</a><a href="/settings/script-errors">Script errors</a><a href="/settings/webhooks" aria-current="page">Webhooks</a><a href="/settings/outbox">Outbox</a></nav>
{{#EMPTY}}<p class="empty">Nothing sent to this webhook yet.</p>{{/EMPTY}}
<div class="table-wrap" role="region" aria-labelledby="page-title" tabindex="0">
<table class="list" id="deliveries">
  <caption class="visually-hidden">The last 200 deliveries, newest first</caption>
  <thead><tr><th scope="col" class="num">#</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col" class="num">Tries</th><th scope="col" class="num">Answer</th><th scope="col">Next try</th><th scope="col">Created</th><th scope="col">Action</th></tr></thead>
  <tbody>
  {{#DELIVERY}}<tr data-delivery="{{ID}}">
    <td class="num">{{ID}}</td><td>{{EVENT}}</td>
    <td><span class="badge" data-status="{{STATUS}}">{{STATUS}}</span> <span class="muted small">{{ERROR}}</span></td>
    <td class="num">{{ATTEMPTS}}</td><td class="num">{{RESPONSE}}</td><td class="nowrap">{{NEXT}}</td><td class="nowrap">{{CREATED}}</td>
    <td>{{#CAN_RETRY}}<form method="post" action="/settings/webhook-deliveries/{{ID}}/retry" class="inline">
      <input type="hidden" name="_csrf" value="{{CSRF}}"><button type="submit" class="small">Retry</button></form>{{/CAN_RETRY}}</td>
  </tr>{{/DELIVERY}}
  </tbody>
</table>
</div>
