{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <p class="muted"><a href="{{LIST_HREF}}">{{PLURAL_LABEL}}</a> · {{KIND_LABEL}} #{{ID}}</p>
    <h1 id="page-title">{{NAME}} <span class="badge" data-status="{{STATUS}}">{{STATUS_LABEL}}</span></h1>
  </div>
  <div class="actions">
    {{#VCARD}}<a class="button" href="{{HREF}}">vCard</a>{{/VCARD}}
    {{#CAN_EDIT}}<a class="button" href="{{SELF}}/edit">Edit</a>
    {{#CAN_CONVERT}}<script src="/static/lead_convert.js" defer></script>
    <form method="post" action="{{SELF}}/convert" class="inline" data-convert-lead="{{ID}}">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <label class="visually-hidden" for="convert-role">Role</label>
      <select id="convert-role" name="role">{{#ROLE_OPT}}<option value="{{OPT_VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT_LABEL}}</option>{{/ROLE_OPT}}</select>
      <label class="check"><input type="checkbox" name="create_deal" value="1"> and create a deal</label>
      <button type="submit" class="primary">Convert to contact</button>
    </form>{{/CAN_CONVERT}}{{/CAN_EDIT}}
  </div>
</div>

{{#HAS_DUPLICATES}}<div class="flash warn" role="status"><span class="msg">Possible duplicates:</span>
  {{#DUPLICATE}}<a href="{{DUP_HREF}}">{{DUP_NAME}}</a> (same {{DUP_MATCH}})
  {{#MERGE}}<form method="post" action="{{MERGE_ACTION}}" class="inline">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <input type="hidden" name="source_id" value="{{SOURCE_ID}}">
    <button type="submit" class="small">Merge {{DUP_NAME}} into this record</button>
  </form>{{/MERGE}} {{/DUPLICATE}}</div>{{/HAS_DUPLICATES}}

<div class="cards">
<section class="card" aria-labelledby="timeline-title">
  <div class="card-head"><h2 id="timeline-title">Timeline</h2></div>
  {{#CAN_EDIT}}
  {{#ACT_ERROR}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/ACT_ERROR}}
  <details open>
    <summary>Log a call</summary>
    <form method="post" action="{{SELF}}/activities" class="form">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <input type="hidden" name="kind" value="call">
      <div class="field"><label for="call-subject">Call summary</label><input id="call-subject" name="subject"></div>
      <div class="field"><label for="call-body">Call notes</label><textarea id="call-body" name="body" rows="2"></textarea></div>
      <div class="field"><label for="call-direction">Direction</label>
        <select id="call-direction" name="direction"><option value="out">Outgoing</option><option value="in">Incoming</option></select></div>
      <div class="actions"><button type="submit" class="small">Log call</button></div>
    </form>
  </details>
  <details>
    <summary>Add a note</summary>
    <form method="post" action="{{SELF}}/activities" class="form">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <input type="hidden" name="kind" value="note">
      <div class="field"><label for="note-body">Note</label><textarea id="note-body" name="body" rows="2"></textarea></div>
      <div class="actions"><button type="submit" class="small">Add note</button></div>
    </form>
  </details>
  <details>
    <summary>Add a task</summary>
    <form method="post" action="{{SELF}}/activities" class="form">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <input type="hidden" name="kind" value="task">
      <div class="field"><label for="task-subject">Task</label><input id="task-subject" name="subject"></div>
      <div class="field"><label for="task-due">Due (UTC)</label><input id="task-due" name="due_at" type="datetime-local"></div>
      <div class="actions"><button type="submit" class="small">Add task</button></div>
    </form>
  </details>
  {{/CAN_EDIT}}
  <ol class="timeline">
  {{#EVENT}}<li data-kind="{{EVENT_KIND}}">
    <p><strong>{{WHAT}}</strong> <span class="muted small">{{WHEN}} · {{WHO}}</span>{{#DUE}} <span class="badge warn">due {{DUE_AT}}</span>{{/DUE}}</p>
    <p>{{SUBJECT}}</p>
    <p class="wrap">{{BODY}}</p>
    {{#CHANGE}}<p class="small"><span class="muted">{{FIELD}}:</span> {{OLD}} → {{NEW}}</p>{{/CHANGE}}
  </li>{{/EVENT}}
  </ol>
  {{#NO_EVENTS}}<p class="empty">Nothing yet.</p>{{/NO_EVENTS}}
</section>

<section class="card" aria-labelledby="details-title">
  <div class="card-head"><h2 id="details-title">Details</h2></div>
  <dl class="props">
  {{#DETAIL}}<dt>{{LABEL}}</dt><dd>{{VALUE}}</dd>{{/DETAIL}}
  </dl>
</section>
</div>
