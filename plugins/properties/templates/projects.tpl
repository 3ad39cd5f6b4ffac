{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/properties.css">
<div class="page-head">
  <div>
    <h1 id="page-title">New-build projects</h1>
    <p class="muted">{{TOTAL}} projects</p>
  </div>
  <div class="actions">
    <a class="button" href="/properties">All properties</a>
    {{#MAY_EDIT}}<a class="button primary" href="/properties/projects/new">New project</a>{{/MAY_EDIT}}
  </div>
</div>
<nav class="tabs" aria-label="Properties">
  <a href="/properties">Properties</a>
  <a href="/properties/projects" aria-current="page">New-build projects</a>
</nav>
<div class="table-wrap" role="region" aria-labelledby="page-title" tabindex="0">
<table class="list" id="projects">
  <caption class="visually-hidden">New-build projects</caption>
  <thead><tr>
    <th scope="col">Project</th>
    <th scope="col">Developer</th>
    <th scope="col">Type</th>
    <th scope="col">Availability</th>
    <th scope="col" class="num">Units</th>
  </tr></thead>
  <tbody>
  {{#PROJECT}}<tr data-id="{{ID}}">
    <td><a href="/properties/projects/{{ID}}">{{NAME}}</a></td>
    <td>{{#HAS_DEVELOPER}}<a href="/relations/{{DEVELOPER_ID}}">{{DEVELOPER_NAME}}</a>{{/HAS_DEVELOPER}}{{#NO_DEVELOPER}}—{{/NO_DEVELOPER}}</td>
    <td>{{TYPE_LABEL}}</td>
    <td><span class="badge" data-availability="{{AVAILABILITY}}">{{AVAILABILITY_LABEL}}</span></td>
    <td class="num" data-units>{{UNITS}}{{#HAS_TOTAL}} <span class="muted small">of {{TOTAL_UNITS}}</span>{{/HAS_TOTAL}}</td>
  </tr>{{/PROJECT}}
  </tbody>
</table>
</div>
{{#EMPTY}}<p class="empty">No projects yet.</p>{{/EMPTY}}
