{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="page-title">Import a CSV file</h1>
    <p class="muted">Leads, contacts or relations from a spreadsheet saved as CSV (comma, semicolon or tab; UTF-8 or Windows-1252).</p>
  </div>
</div>

<form method="post" action="/imports" enctype="multipart/form-data" class="form card">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  {{#ERRORS}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/ERRORS}}
  <div class="field">
    <label for="kind">What the file holds</label>
    <select id="kind" name="kind">{{#KIND}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/KIND}}</select>
    <p class="hint">Sample files: {{#KIND}}<a href="/api/v1/imports/sample.csv?kind={{VALUE}}">{{LABEL}}</a> {{/KIND}}</p>
  </div>
  <div class="field">
    <label for="file">CSV file</label>
    <input id="file" name="file" type="file" accept=".csv,.txt,text/csv,text/plain" required>
  </div>
  <div class="actions"><button type="submit" class="primary">Upload</button></div>
</form>

{{#RECENT}}<section class="card" aria-labelledby="recent-title">
  <div class="card-head"><h2 id="recent-title">Recent imports</h2></div>
  <div class="table-wrap" role="region" aria-labelledby="recent-title" tabindex="0">
  <table class="list">
    <caption class="visually-hidden">The last imports, newest first</caption>
    <thead><tr><th scope="col">File</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col" class="num">Created</th><th scope="col" class="num">Invalid</th><th scope="col">Uploaded</th></tr></thead>
    <tbody>
    {{/RECENT}}{{#IMPORT}}<tr>
      <td><a href="/imports/{{ID}}">{{FILENAME}}</a></td><td>{{KIND_LABEL}}</td>
      <td><span class="badge" data-status="{{STATUS}}">{{STATUS}}</span></td>
      <td class="num">{{CREATED}}</td><td class="num">{{INVALID}}</td><td class="nowrap">{{WHEN}}</td>
    </tr>{{/IMPORT}}{{#RECENT}}
    </tbody>
  </table>
  </div>
</section>{{/RECENT}}
