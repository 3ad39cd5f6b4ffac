{{%AUTOESCAPE context="HTML"}}<h1>Outbox</h1>
<p>Mail the system sent or holds. With no SMTP server configured, mail stays here.</p>
{{#EMPTY}}<p class="muted">No mail yet.</p>{{/EMPTY}}
<div class="table-wrap">
<table class="list">
  <thead><tr><th>#</th><th>To</th><th>Subject</th><th>Status</th><th>Tries</th><th>Created</th></tr></thead>
  <tbody>
  {{#MAIL}}<tr>
    <td>{{ID}}</td><td>{{TO_ADDR}}</td>
    <td><details><summary>{{SUBJECT}}</summary><pre class="mail">{{BODY}}</pre></details></td>
    <td><span class="badge">{{STATUS}}</span> {{LAST_ERROR}}</td><td>{{ATTEMPTS}}</td><td>{{CREATED_AT}}</td>
  </tr>{{/MAIL}}
  </tbody>
</table>
</div>
