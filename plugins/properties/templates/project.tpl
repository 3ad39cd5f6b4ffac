{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/properties.css">
<div class="page-head" data-project="{{ID}}">
  <div>
    <p class="small"><a href="/properties/projects">New-build projects</a></p>
    <h1 id="page-title">{{NAME}} <span class="badge" data-availability="{{AVAILABILITY}}">{{AVAILABILITY_LABEL}}</span></h1>
    <p class="muted">{{TYPE_LABEL}} · <span data-unit-count>{{UNIT_COUNT}}</span> units of {{TOTAL_UNITS}}</p>
  </div>
  {{#MAY_EDIT}}<div class="actions"><a class="button" href="/properties/projects/{{ID}}/edit">Edit</a>
    <button type="button" class="danger" data-api-action data-method="DELETE" data-url="/api/v1/properties/projects/{{ID}}" data-redirect="/properties/projects" data-confirm="Delete this project with its typologies and files? A project that still has units cannot be deleted.">Delete project</button></div>{{/MAY_EDIT}}
</div>

<div class="cards">
<section class="card" aria-labelledby="details-title">
  <div class="card-head"><h2 id="details-title">Details</h2></div>
  <dl class="props">
    <dt>Developer</dt><dd id="developer">{{#HAS_DEVELOPER}}<a href="/relations/{{DEVELOPER_ID}}">{{DEVELOPER_NAME}}</a>{{/HAS_DEVELOPER}}{{#NO_DEVELOPER}}—{{/NO_DEVELOPER}}</dd>
    <dt>Type</dt><dd>{{TYPE_LABEL}}</dd>
    <dt>Availability</dt><dd>{{AVAILABILITY_LABEL}}</dd>
    <dt>Total units</dt><dd>{{TOTAL_UNITS}}</dd>
    <dt>Price list</dt><dd>{{#PRICE_LIST}}<a href="{{HREF}}" rel="noopener noreferrer">{{HREF}}</a>{{/PRICE_LIST}}{{#NO_PRICE_LIST}}—{{/NO_PRICE_LIST}}</dd>
    <dt>Documents</dt><dd>{{#DOCUMENTS}}<a href="{{HREF}}" rel="noopener noreferrer">{{HREF}}</a>{{/DOCUMENTS}}{{#NO_DOCUMENTS}}—{{/NO_DOCUMENTS}}</dd>
    <dt>Virtual tour</dt><dd>{{#TOUR}}<a href="{{HREF}}" rel="noopener noreferrer">{{HREF}}</a>{{/TOUR}}{{#NO_TOUR}}—{{/NO_TOUR}}</dd>
    <dt>GPS</dt><dd>{{#HAS_GPS}}{{LATITUDE}}, {{LONGITUDE}}{{/HAS_GPS}}{{#NO_GPS}}—{{/NO_GPS}}</dd>
  </dl>
</section>

<section class="card" aria-labelledby="desc-title">
  <div class="card-head"><h2 id="desc-title">Descriptions</h2></div>
  <nav class="tabs" aria-label="Languages">{{#DESC_TAB}}<a href="#desc-{{LANG}}">{{LANG}}</a>{{/DESC_TAB}}</nav>
  {{#DESC}}<article id="desc-{{LANG}}" class="description" lang="{{LANG}}"><h3>{{DTITLE}}</h3><p>{{DTEXT}}</p></article>{{/DESC}}
</section>
</div>

<section class="card" aria-labelledby="typ-title">
  <div class="card-head"><h2 id="typ-title">Typologies</h2></div>
  {{#NO_TYPOLOGIES}}<p class="empty">No typologies yet.</p>{{/NO_TYPOLOGIES}}
  <ul class="typologies" id="typologies">
    {{#TYPOLOGY}}<li data-typology="{{ID}}">
      <span class="swatch" style="background-color: {{COLOUR_VALUE}}" aria-hidden="true"></span>
      <strong>{{NAME}}</strong> <span class="muted small">{{COLOUR}} · units: {{UNITS}} · files: {{FILES}}</span>
      {{#TFILE}}<a class="small" href="{{HREF}}">{{NAME}}</a> {{/TFILE}}
      {{#TYP_EDIT}}<details><summary>Edit {{NAME}}</summary>
        <form class="form" method="post" action="/api/v1/properties/projects/{{PID}}/typologies/{{ID}}" data-api-form data-method="PATCH" data-redirect="/properties/projects/{{PID}}">
          <p class="flash error" role="alert" data-form-error hidden></p>
          <div class="cols">
            <div class="field"><label for="typ-name-{{ID}}">Name</label><input id="typ-name-{{ID}}" name="name" value="{{NAME}}" required maxlength="100">
              <p class="error" data-for="name" hidden></p></div>
            <div class="field"><label for="typ-colour-{{ID}}">Colour</label><input id="typ-colour-{{ID}}" name="colour" type="color" value="{{COLOUR_VALUE}}">
              <p class="error" data-for="colour" hidden></p></div>
          </div>
          <div class="actions"><button type="submit">Save typology</button>
            <button type="button" class="danger" data-api-action data-method="DELETE" data-url="/api/v1/properties/projects/{{PID}}/typologies/{{ID}}" data-confirm="Delete this typology? Its units and files stay in the project.">Delete typology</button></div>
        </form>
      </details>{{/TYP_EDIT}}
    </li>{{/TYPOLOGY}}
  </ul>
  {{#MAY_EDIT}}<form class="form" method="post" action="/api/v1/properties/projects/{{ID}}/typologies" data-api-form data-method="POST" data-redirect="/properties/projects/{{ID}}" aria-labelledby="typ-new-title">
    <h3 id="typ-new-title">Add a typology</h3>
    <p class="flash error" role="alert" data-form-error hidden></p>
    <div class="cols">
      <div class="field"><label for="typ-name">Name</label><input id="typ-name" name="name" required maxlength="100" placeholder="Type A, 2 bedrooms">
        <p class="error" data-for="name" hidden></p></div>
      <div class="field"><label for="typ-colour">Colour</label><input id="typ-colour" name="colour" type="color" value="#1f6feb">
        <p class="error" data-for="colour" hidden></p></div>
    </div>
    <div class="actions"><button type="submit">Add typology</button></div>
  </form>{{/MAY_EDIT}}
</section>

<section class="card" aria-labelledby="units-title">
  <div class="card-head"><h2 id="units-title">Units</h2>
    {{#MAY_ADD_UNIT}}<a class="button small primary" href="/properties/new?project_id={{ID}}">New unit</a>{{/MAY_ADD_UNIT}}</div>
  {{#NO_UNITS}}<p class="empty">No units yet: add one, then duplicate it to fill the project.</p>{{/NO_UNITS}}
  {{#HAS_UNITS}}<div class="table-wrap" role="region" aria-labelledby="units-title" tabindex="0">
  <table class="list" id="units">
    <thead><tr><th scope="col">Ref</th><th scope="col">Status</th><th scope="col">Typology</th><th scope="col" class="num">Price</th></tr></thead>
    <tbody>
    {{#UNIT}}<tr data-id="{{ID}}"><td><a href="/properties/{{ID}}">{{REF}}</a></td>
      <td><span class="badge" data-status="{{STATUS}}">{{STATUS}}</span></td><td>{{TYPOLOGY_NAME}}</td><td class="num nowrap">{{PRICE_TEXT}}</td></tr>{{/UNIT}}
    </tbody>
  </table>
  </div>
  <p class="small"><a href="/properties?project_id={{ID}}" id="units-in-list">The units in the properties list</a> (filters, batch actions, map)</p>
  {{#MAY_ADD_UNIT}}<form class="form toolbar" data-duplicate aria-labelledby="dup-title">
    <h3 id="dup-title">Duplicate a unit</h3>
    <p class="flash error" role="alert" data-form-error hidden></p>
    <div class="field"><label for="dup-unit">Unit</label>
      <select id="dup-unit" name="unit">{{#UNIT_OPT}}<option value="{{VALUE}}">{{LABEL}}</option>{{/UNIT_OPT}}</select></div>
    <div class="field"><label for="dup-count">Copies (1–20)</label>
      <input id="dup-count" name="count" type="number" min="1" max="20" value="1" required inputmode="numeric">
      <p class="error" data-for="count" hidden></p></div>
    <p class="hint">The copies are drafts with new references, the same details, features and descriptions; not the photos.</p>
    <div class="actions"><button type="submit">Duplicate</button></div>
  </form>{{/MAY_ADD_UNIT}}{{/HAS_UNITS}}
</section>

<section class="card" aria-labelledby="files-title">
  <div class="card-head"><h2 id="files-title">Files</h2></div>
  {{#NO_FILES}}<p class="empty">No files yet.</p>{{/NO_FILES}}
  <div class="table-wrap" role="region" aria-labelledby="files-title" tabindex="0">
  <table class="list" id="files">
    <thead><tr><th scope="col">File</th><th scope="col">Kind</th><th scope="col">Typology</th><th scope="col" class="num">Size</th><th scope="col">Added</th><th scope="col"></th></tr></thead>
    <tbody>
    {{#FILE}}<tr data-id="{{ID}}"><td><a href="{{HREF}}" download>{{FILE_NAME}}</a></td><td>{{KIND}}</td><td>{{TYPOLOGY_NAME}}</td>
      <td class="num nowrap">{{SIZE_TEXT}}</td><td class="nowrap">{{CREATED_AT}}</td>
      <td>{{#FILE_EDIT}}<button type="button" class="small danger" data-api-action data-method="DELETE" data-url="{{HREF}}" data-confirm="Delete this file?" aria-label="Delete {{FILE_NAME}}">Delete</button>{{/FILE_EDIT}}</td></tr>{{/FILE}}
    </tbody>
  </table>
  </div>
  {{#MAY_EDIT}}<form class="form" method="post" action="/api/v1/properties/projects/{{ID}}/files" enctype="multipart/form-data" data-upload aria-labelledby="upload-title">
    <h3 id="upload-title">Add files</h3>
    <p class="flash error" role="alert" data-form-error hidden></p>
    <div class="cols">
      <div class="field"><label for="project-files">Files (PDF, JPEG, PNG, WebP)</label>
        <input id="project-files" type="file" name="file" accept="application/pdf,image/jpeg,image/png,image/webp" multiple required>
        <p class="error" data-for="file" hidden></p></div>
      <div class="field"><label for="file-typology">Typology</label>
        <select id="file-typology" name="typology_id"><option value="">The whole project</option>{{#FILE_TYP_OPT}}<option value="{{VALUE}}">{{LABEL}}</option>{{/FILE_TYP_OPT}}</select>
        <p class="error" data-for="typology_id" hidden></p></div>
    </div>
    <div class="actions"><button type="submit">Upload</button></div>
  </form>{{/MAY_EDIT}}
</section>
<script src="/static/properties.js" defer></script>
