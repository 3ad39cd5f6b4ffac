{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/properties.css">
<div class="page-head" data-property="{{ID}}">
  <div>
    <h1 id="page-title">{{REF}} <span class="badge" data-status="{{STATUS}}" id="status-badge">{{STATUS}}</span></h1>
    <p class="muted">{{TYPE}} · {{TOWN}} · {{PRICE}} · {{COMPLETENESS}}% complete</p>
  </div>
  <div class="actions"><a class="button" href="/properties/{{ID}}/edit">Edit</a></div>
</div>

<div class="cards">
<section class="card" aria-labelledby="status-title">
  <div class="card-head"><h2 id="status-title">Status</h2></div>
  <form class="form" method="post" action="/api/v1/properties/{{ID}}" data-api-form data-method="PATCH" data-redirect="/properties/{id}">
    <p class="flash error" role="alert" data-form-error hidden></p>
    <div class="field"><label for="new-status">New status</label>
      <select id="new-status" name="status">{{#STATUS_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/STATUS_OPT}}</select>
      <p class="error" data-for="status" hidden></p></div>
    <div class="field"><label for="status-reason">Reason <span class="optional">(needed to leave sold, rented, ...)</span></label>
      <input id="status-reason" name="status_reason"></div>
    <div class="actions"><button type="submit">Change status</button></div>
  </form>
</section>

<section class="card" aria-labelledby="details-title">
  <div class="card-head"><h2 id="details-title">Details</h2></div>
  <dl class="props">
    <dt>Transaction</dt><dd>{{TRANSACTION}}</dd>
    <dt>Address</dt><dd>{{ADDRESS}}, {{POSTAL_CODE}} {{TOWN}}, {{PROVINCE}} {{COUNTRY}}</dd>
    <dt>Bedrooms / bathrooms</dt><dd>{{BEDS}} / {{BATHS}}</dd>
    <dt>Built / plot area</dt><dd>{{BUILT_AREA}} / {{PLOT_AREA}} m²</dd>
    <dt>GPS</dt><dd>{{LATITUDE}}, {{LONGITUDE}}</dd>
    {{#PROJECT}}<dt>Project</dt><dd><a href="/properties/projects/{{PROJECT_ID}}" id="project-link">{{PROJECT_NAME}}</a></dd>{{/PROJECT}}
    <dt>Owner</dt><dd>{{OWNER_NAME}}</dd>
    <dt>Agent</dt><dd>{{AGENT_NAME}}</dd>
    <dt>On the website</dt><dd>{{DISPLAY_ON_WEBSITE}}</dd>
    <dt>Web views / leads</dt><dd>{{WEB_VIEWS}} / {{LEAD_COUNT}}</dd>
    {{#CUSTOM_DETAIL}}<dt>{{CLABEL}}</dt><dd>{{CVALUE}}</dd>{{/CUSTOM_DETAIL}}
    <dt>Features</dt><dd>{{#FEATURE}}<span class="badge" data-feature="{{CODE}}">{{FLABEL}}</span> {{/FEATURE}}</dd>
    <dt>Labels</dt><dd>{{#LABEL}}<span class="badge">{{TAG}}</span> {{/LABEL}}</dd>
  </dl>
</section>
</div>

<section class="card" aria-labelledby="gallery-title">
  <div class="card-head"><h2 id="gallery-title">Photos</h2></div>
  {{#NO_PHOTOS}}<p class="empty">No photos yet.</p>{{/NO_PHOTOS}}
  <p class="hint" id="gallery-hint">Drag a photo to change the order, or use its arrow buttons.</p>
  <p class="small" role="status" aria-live="polite" data-gallery-status></p>
  <ul class="gallery" id="gallery" data-order-url="/api/v1/properties/{{ID}}/media/order" aria-describedby="gallery-hint">
    {{#PHOTO}}<li data-id="{{ID}}">
      <a href="{{LARGE}}"><img src="{{THUMB}}" alt="{{ALT}}" width="160"></a>
      {{#IS_IS_MAIN}}<span class="badge ok">Main</span>{{/IS_IS_MAIN}}{{#IS_IS_FLOOR_PLAN}}<span class="badge">Floor plan</span>{{/IS_IS_FLOOR_PLAN}}
      <span class="small">{{CAPTION}}</span>
      <span class="actions">
        <button type="button" class="small" data-move="up" aria-label="Move photo {{ID}} earlier">↑</button>
        <button type="button" class="small" data-move="down" aria-label="Move photo {{ID}} later">↓</button>
        <button type="button" class="small" data-api-action data-method="PATCH" data-url="/api/v1/properties/{{PROPERTY_ID}}/media/{{ID}}" data-body='{"is_main":true}'>Make main</button>
        <button type="button" class="small danger" data-api-action data-method="DELETE" data-url="/api/v1/properties/{{PROPERTY_ID}}/media/{{ID}}" data-confirm="Delete this photo?">Delete</button>
      </span>
    </li>{{/PHOTO}}
  </ul>
  <form class="form" method="post" action="/api/v1/properties/{{ID}}/media" enctype="multipart/form-data" data-upload>
    <div class="field"><label for="photo-files">Add photos (JPEG, PNG, WebP)</label>
      <input id="photo-files" type="file" name="file" accept="image/jpeg,image/png,image/webp" multiple></div>
    <p class="error" data-upload-error hidden></p>
    <div class="actions"><button type="submit">Upload</button></div>
  </form>
  {{#DOCUMENT}}<p data-media-other="{{ID}}"><a href="{{DOWNLOAD}}">{{ORIGINAL_NAME}}</a></p>{{/DOCUMENT}}
  {{#LINK}}<p data-media-other="{{ID}}">{{KIND}}: <a href="{{URL}}" rel="noopener noreferrer">{{URL}}</a></p>{{/LINK}}
</section>

<section class="card" aria-labelledby="desc-title">
  <div class="card-head"><h2 id="desc-title">Descriptions</h2></div>
  <nav class="tabs" aria-label="Languages">{{#DESC_TAB}}<a href="#desc-{{LANG}}">{{LANG}}</a>{{/DESC_TAB}}</nav>
  {{#DESC}}<article id="desc-{{LANG}}" class="description" lang="{{LANG}}"><h3>{{DTITLE}}</h3><p>{{DTEXT}}</p></article>{{/DESC}}
</section>

<section class="card" aria-labelledby="pub-title">
  <div class="card-head"><h2 id="pub-title">Publications</h2></div>
  <div class="table-wrap" role="region" aria-labelledby="pub-title" tabindex="0">
  <table class="list" id="publications">
    <thead><tr><th scope="col">Portal</th><th scope="col">Published</th><th scope="col">By</th><th scope="col">Ended</th><th scope="col"></th></tr></thead>
    <tbody>
    {{#PUB}}<tr data-portal="{{PORTAL}}"{{#CURRENT}} data-current="1"{{/CURRENT}}>
      <td>{{PORTAL}}</td><td class="nowrap">{{PUBLISHED_AT}}</td><td>{{BY_NAME}}</td>
      <td class="nowrap">{{UNPUBLISHED_AT}} <span class="muted small">{{UNPUBLISH_REASON}}</span></td>
      <td>{{#CURRENT}}<button type="button" class="small" data-api-action data-method="DELETE" data-url="/api/v1/properties/{{ID}}/publications/{{PORTAL}}">Unpublish</button>{{/CURRENT}}</td>
    </tr>{{/PUB}}
    </tbody>
  </table>
  </div>
  <form class="toolbar" data-publish="/api/v1/properties/{{ID}}/publications/">
    <div class="field"><label for="portal">Portal</label>
      <select id="portal" name="portal">{{#PORTAL_OPT}}<option value="{{VALUE}}">{{LABEL}}</option>{{/PORTAL_OPT}}</select></div>
    <p class="error" data-publish-error hidden></p>
    <div class="actions"><button type="submit">Publish</button></div>
  </form>
</section>

<section class="card" aria-labelledby="matches-title">
  <div class="card-head"><h2 id="matches-title">Matching leads</h2></div>
  <ul id="matches">{{#MATCH}}<li><a href="/properties/matches?lead={{MID}}">{{NAME}}</a> <span class="badge">{{FIT}}</span></li>{{/MATCH}}</ul>
</section>

<section class="card" aria-labelledby="timeline-title">
  <div class="card-head"><h2 id="timeline-title">Timeline</h2></div>
  <ol class="timeline" id="timeline">{{#EVENT}}<li><span class="nowrap muted small">{{WHEN}}</span> {{SUBJECT}}{{#EBODY}} — {{TEXT}}{{/EBODY}}</li>{{/EVENT}}</ol>
</section>
<script src="/static/vendor/sortablejs/Sortable.min.js" defer></script>
<script src="/static/properties.js" defer></script>
