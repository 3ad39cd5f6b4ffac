{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div><h1 id="page-title">My tasks</h1></div>
</div>
{{#BUCKET}}<section class="card" aria-labelledby="tasks-{{BUCKET_ID}}">
  <div class="card-head"><h2 id="tasks-{{BUCKET_ID}}">{{BUCKET_TITLE}} <span class="count">{{COUNT}}</span></h2></div>
  {{#NONE}}<p class="empty">Nothing here.</p>{{/NONE}}
  <ul>
  {{#TASK}}<li>
    <strong>{{SUBJECT}}</strong> · <a href="{{RECORD_HREF}}">{{RECORD}}</a> <span class="muted small">due {{DUE}}</span>
    <form method="post" action="/tasks/{{TASK_ID}}/done" class="inline">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <button type="submit" class="small">Done</button>
    </form>
  </li>{{/TASK}}
  </ul>
</section>{{/BUCKET}}
