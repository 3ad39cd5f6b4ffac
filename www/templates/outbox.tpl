{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="outbox-title">Outbox</h1>
    <p class="muted">Mail the system sent or holds. With no SMTP server configured, mail stays here.</p>
  </div>
</div>
{{#EMPTY}}<p class="empty">No mail yet.</p>{{/EMPTY}}
<div class="table-wrap" role="region" aria-labelledby="outbox-title" tabindex="0">
<table class="list">
  <caption class="visually-hidden">The last 100 messages, newest first</caption>
  <thead><tr><th scope="col" class="num">#</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col" class="num">Tries</th><th scope="col">Created</th></tr></thead>
  <tbody>
  {{#MAIL}}<tr>
    <td class="num">{{ID}}</td><td>{{TO_ADDR}}</td>
    <td class="wrap"><details><summary>{{SUBJECT}}</summary><pre class="mail">{{BODY}}</pre></details></td>
    <td><span class="badge" data-status="{{STATUS}}">{{STATUS}}</span> <span class="muted small">{{LAST_ERROR}}</span></td><td class="num">{{ATTEMPTS}}</td><td class="nowrap">{{CREATED_AT}}</td>
  </tr>{{/MAIL}}
  </tbody>
</table>
</div>
