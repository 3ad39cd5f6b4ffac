{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="page-title">Preview</h1>
    <p class="muted">{{FILENAME}} · {{KIND_LABEL}} · nothing has been saved yet</p>
  </div>
</div>

<ul class="tiles" aria-label="Preview counts">
  {{#TILE}}<li class="tile {{TONE}}"><span class="num">{{NUM}}</span> <span class="label">{{LABEL}}</span></li>{{/TILE}}
</ul>

{{#FILE_ERROR}}<p class="flash error" role="alert"><span class="msg">The file cannot be read past this point: {{MESSAGE}}</span></p>{{/FILE_ERROR}}

{{#HAS_ERRORS}}<section class="card" aria-labelledby="errors-title">
  <div class="card-head"><h2 id="errors-title">Invalid rows (they will not be imported)</h2></div>
  <div class="table-wrap" role="region" aria-labelledby="errors-title" tabindex="0">
  <table class="list">
    <caption class="visually-hidden">Each invalid row with its line, column and reason</caption>
    <thead><tr><th scope="col" class="num">Row</th><th scope="col" class="num">Line</th><th scope="col">Column</th><th scope="col">Reason</th></tr></thead>
    <tbody>
    {{/HAS_ERRORS}}{{#ERROR}}<tr><td class="num">{{ROW}}</td><td class="num">{{LINE}}</td><td>{{COLUMN}}</td><td class="wrap"><span class="msg">{{MESSAGE}}</span></td></tr>{{/ERROR}}{{#HAS_ERRORS}}
    </tbody>
  </table>
  </div>
  {{#MORE_ERRORS}}<p class="muted">Only the first rows are listed here; the report after the import lists them all.</p>{{/MORE_ERRORS}}
</section>{{/HAS_ERRORS}}

<form method="post" action="/imports/{{ID}}/run" class="form card">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  <p>Duplicates: <strong>{{DUPLICATES}}</strong>. Valid rows are imported; invalid rows are listed in the report.</p>
  <div class="actions">
    <button type="submit" class="primary">Start import</button>
    <a class="button" href="/imports/{{ID}}">Back to the mapping</a>
  </div>
</form>
