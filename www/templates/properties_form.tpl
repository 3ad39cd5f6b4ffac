{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/properties.css">
<div class="page-head">
  <div><h1 id="page-title">{{TITLE}}</h1></div>
</div>
<form class="form card" method="post" action="{{ACTION}}" data-api-form data-method="{{METHOD}}" data-redirect="/properties/{id}">
  <p class="flash error" role="alert" data-form-error hidden></p>
  <div class="cols">
    <div class="field"><label for="type">Type</label>
      <select id="type" name="type">{{#TYPE_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/TYPE_OPT}}</select>
      <p class="error" data-for="type" hidden></p></div>
    <div class="field"><label for="transaction">Transaction</label>
      <select id="transaction" name="transaction">{{#TX_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/TX_OPT}}</select></div>
  </div>
  {{#IS_NEW}}<div class="cols">
    <div class="field"><label for="ref">Reference <span class="optional">(empty: the next number)</span></label>
      <input id="ref" name="ref" value="">
      <p class="error" data-for="ref" hidden></p></div>
    <div class="field"><label for="status">Status</label>
      <select id="status" name="status">{{#STATUS_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/STATUS_OPT}}</select></div>
  </div>{{/IS_NEW}}
  <div class="cols">
    <div class="field"><label for="price">Price (whole units)</label>
      <input id="price" name="price" inputmode="numeric" data-type="money" value="{{PRICE_UNITS}}">
      <p class="error" data-for="price" hidden></p></div>
    <div class="field"><label for="currency">Currency</label>
      <input id="currency" name="currency" value="{{CURRENCY}}" placeholder="EUR" maxlength="3">
      <p class="error" data-for="currency" hidden></p></div>
  </div>
  <div class="cols">
    <div class="field"><label for="address">Address</label><input id="address" name="address" value="{{ADDRESS}}"></div>
    <div class="field"><label for="postal_code">Postal code</label><input id="postal_code" name="postal_code" value="{{POSTAL_CODE}}" autocomplete="postal-code"></div>
  </div>
  <div class="cols">
    <div class="field"><label for="town">Town</label><input id="town" name="town" value="{{TOWN}}"></div>
    <div class="field"><label for="area">Area</label><input id="area" name="area" value="{{AREA}}"></div>
  </div>
  <div class="cols">
    <div class="field"><label for="province">Province</label><input id="province" name="province" value="{{PROVINCE}}"></div>
    <div class="field"><label for="country">Country</label><input id="country" name="country" value="{{COUNTRY}}" maxlength="2">
      <p class="error" data-for="country" hidden></p></div>
  </div>
  <div class="cols">
    <div class="field"><label for="latitude">Latitude</label><input id="latitude" name="latitude" data-type="number" value="{{LATITUDE}}">
      <p class="error" data-for="latitude" hidden></p></div>
    <div class="field"><label for="longitude">Longitude</label><input id="longitude" name="longitude" data-type="number" value="{{LONGITUDE}}">
      <p class="error" data-for="longitude" hidden></p></div>
  </div>
  <div class="cols">
    <div class="field"><label for="beds">Bedrooms</label><input id="beds" name="beds" data-type="number" inputmode="numeric" value="{{BEDS}}">
      <p class="error" data-for="beds" hidden></p></div>
    <div class="field"><label for="baths">Bathrooms</label><input id="baths" name="baths" data-type="number" inputmode="numeric" value="{{BATHS}}">
      <p class="error" data-for="baths" hidden></p></div>
  </div>
  <div class="cols">
    <div class="field"><label for="built_area">Built area (m²)</label><input id="built_area" name="built_area" data-type="number" value="{{BUILT_AREA}}">
      <p class="error" data-for="built_area" hidden></p></div>
    <div class="field"><label for="plot_area">Plot area (m²)</label><input id="plot_area" name="plot_area" data-type="number" value="{{PLOT_AREA}}">
      <p class="error" data-for="plot_area" hidden></p></div>
  </div>
  <div class="cols">
    <div class="field picker" data-picker="/api/v1/relations">
      <label for="owner-search">Owner <span class="optional">(a relation)</span></label>
      <input type="hidden" name="owner_id" data-type="id" value="{{OWNER_VALUE}}" data-picker-value>
      <input id="owner-search" type="text" role="combobox" autocomplete="off" aria-autocomplete="list"
             aria-expanded="false" aria-controls="owner-options" aria-describedby="owner-hint"
             data-picker-input data-field="owner_id" value="{{OWNER_LABEL}}">
      <ul id="owner-options" class="picker-options" role="listbox" aria-label="Relations" data-picker-list hidden></ul>
      <p class="hint" id="owner-hint" data-picker-status aria-live="polite">Type part of the name; empty means no owner.</p>
      <p class="error" data-for="owner_id" hidden></p></div>
    <div class="field"><label for="agent_id">Agent</label>
      <select id="agent_id" name="agent_id" data-type="id"><option value="">Nobody</option>{{#AGENT_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/AGENT_OPT}}</select>
      <p class="error" data-for="agent_id" hidden></p></div>
  </div>
  {{#PROJECT}}<div class="cols" data-project-part>
    <div class="field"><span class="label">Project</span>
      <a href="/properties/projects/{{PROJECT_ID}}" id="project-link">{{PROJECT_NAME}}</a>
      <input type="hidden" name="project_id" data-type="id" value="{{PROJECT_ID}}">
      <label class="check"><input type="checkbox" name="new_build" data-type="bool"{{#NB_CHECKED}} checked{{/NB_CHECKED}}> New build</label>
      <p class="error" data-for="project_id" hidden></p></div>
    <div class="field"><label for="typology_id">Typology</label>
      <select id="typology_id" name="typology_id" data-type="id"><option value="">None</option>{{#TYPOLOGY_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/TYPOLOGY_OPT}}</select>
      <p class="error" data-for="typology_id" hidden></p></div>
  </div>{{/PROJECT}}
  <fieldset class="field features" aria-describedby="features-hint">
    <legend>Features</legend>
    <p class="hint" id="features-hint">The agency's catalogue; labels in the other languages are shown beside each.</p>
    {{#FEATURE_GROUP}}<fieldset class="feature-group" data-category="{{CATEGORY_CODE}}"><legend>{{CATEGORY}}</legend>
      {{#FEATURE_OPT}}<label class="check"><input type="checkbox" name="features" value="{{CODE}}" data-type="set"{{#CHECKED}} checked{{/CHECKED}}> <span>{{LABEL}}{{#OTHER_LABEL}} <span class="muted small" lang="{{LANG}}">{{TEXT}}</span>{{/OTHER_LABEL}}</span></label>
      {{/FEATURE_OPT}}</fieldset>
    {{/FEATURE_GROUP}}
    <p class="error" data-for="features" hidden></p>
  </fieldset>
  <div class="field"><label for="labels">Labels <span class="optional">(comma-separated)</span></label>
    <input id="labels" name="labels" data-type="list" value="{{LABELS_TEXT}}" aria-describedby="labels-hint">
    <p class="hint" id="labels-hint">For example: sea front, exclusive</p>
    <p class="error" data-for="labels" hidden></p></div>
  <label class="check"><input type="checkbox" name="display_on_website" data-type="bool"{{#IS_DISPLAY_ON_WEBSITE}} checked{{/IS_DISPLAY_ON_WEBSITE}}> Show on the agency's website</label>
  {{#LANG}}<fieldset class="field"><legend>Description ({{CODE}})</legend>
    <label for="title-{{CODE}}">Title</label><input id="title-{{CODE}}" name="descriptions.{{CODE}}.title" value="{{DTITLE}}">
    <label for="text-{{CODE}}">Text</label><textarea id="text-{{CODE}}" name="descriptions.{{CODE}}.text" rows="4">{{DTEXT}}</textarea>
  </fieldset>{{/LANG}}
  <p class="error" data-for="descriptions" hidden></p>
  {{>CUSTOM}}
  <div class="actions">
    <button type="submit" class="primary">Save</button>
    <a class="button" href="{{BACK}}">Cancel</a>
  </div>
</form>
<script src="/static/properties.js" defer></script>
