{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1 id="page-title">Map the columns</h1>
    <p class="muted">{{FILENAME}} · {{KIND_LABEL}} · encoding {{ENCODING}} · delimiter {{DELIMITER}}</p>
  </div>
  <div class="actions"><a class="button" href="/imports/new">Another file</a></div>
</div>

<form method="post" action="/imports/{{ID}}/preview" class="form card wide">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  {{#ERRORS}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/ERRORS}}
  <div class="table-wrap" role="region" aria-labelledby="page-title" tabindex="0">
  <table class="list">
    <caption class="visually-hidden">The file's columns, their first values, and the field each goes to</caption>
    <thead><tr><th scope="col">Column</th><th scope="col">First values</th><th scope="col">Field</th></tr></thead>
    <tbody>
    {{#COLUMN}}<tr>
      <td>{{NAME}}</td>
      <td class="wrap muted">{{SAMPLES}}</td>
      <td><label class="visually-hidden" for="col-{{INDEX}}">Field for {{NAME}}</label>
        <select id="col-{{INDEX}}" name="col_{{INDEX}}" data-column="{{NAME}}">{{#OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/OPT}}</select></td>
    </tr>{{/COLUMN}}
    </tbody>
  </table>
  </div>
  <fieldset>
    <legend>A row with the email or phone of an existing record</legend>
    {{#DUP}}<label class="check"><input type="radio" name="duplicates" value="{{VALUE}}"{{#CHECKED}} checked{{/CHECKED}}> {{LABEL}}</label>{{/DUP}}
  </fieldset>
  <div class="field">
    <label for="save_as">Save this mapping as <span class="optional">(optional)</span></label>
    <input id="save_as" name="save_as" value="{{SAVE_AS}}" maxlength="100">
    <p class="hint">A later file with the same columns is then mapped this way at once.</p>
  </div>
  <div class="actions"><button type="submit" class="primary">Preview</button></div>
</form>
