{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/properties.css">
<div class="page-head">
  <div><p class="small"><a href="/properties/projects">New-build projects</a></p><h1 id="page-title">{{TITLE}}</h1></div>
</div>
<form class="form card" method="post" action="{{ACTION}}" data-api-form data-method="{{METHOD}}" data-redirect="/properties/projects/{id}">
  <p class="flash error" role="alert" data-form-error hidden></p>
  <div class="field"><label for="name">Name</label>
    <input id="name" name="name" value="{{NAME}}" required maxlength="200">
    <p class="error" data-for="name" hidden></p></div>
  <div class="cols">
    <div class="field picker" data-picker="/api/v1/relations">
      <label for="developer-search">Developer <span class="optional">(a relation)</span></label>
      <input type="hidden" name="developer_id" data-type="id" value="{{DEVELOPER_VALUE}}" data-picker-value>
      <input id="developer-search" type="text" role="combobox" autocomplete="off" aria-autocomplete="list"
             aria-expanded="false" aria-controls="developer-options" aria-describedby="developer-hint"
             data-picker-input data-field="developer_id" value="{{DEVELOPER_LABEL}}">
      <ul id="developer-options" class="picker-options" role="listbox" aria-label="Relations" data-picker-list hidden></ul>
      <p class="hint" id="developer-hint" data-picker-status aria-live="polite">Type part of the name; empty means no developer.</p>
      <p class="error" data-for="developer_id" hidden></p></div>
    <div class="field"><label for="type">Type</label>
      <select id="type" name="type"><option value="">—</option>{{#TYPE_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/TYPE_OPT}}</select>
      <p class="error" data-for="type" hidden></p></div>
  </div>
  <div class="cols">
    <div class="field"><label for="availability">Availability</label>
      <select id="availability" name="availability">{{#AVAIL_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/AVAIL_OPT}}</select>
      <p class="error" data-for="availability" hidden></p></div>
    <div class="field"><label for="total_units">Total units</label>
      <input id="total_units" name="total_units" data-type="number" inputmode="numeric" value="{{TOTAL_UNITS}}">
      <p class="error" data-for="total_units" hidden></p></div>
  </div>
  <div class="field"><label for="price_list_url">Price list (link)</label>
    <input id="price_list_url" name="price_list_url" inputmode="url" value="{{PRICE_LIST_URL}}" placeholder="https://">
    <p class="error" data-for="price_list_url" hidden></p></div>
  <div class="field"><label for="documents_url">Documents (link)</label>
    <input id="documents_url" name="documents_url" inputmode="url" value="{{DOCUMENTS_URL}}" placeholder="https://">
    <p class="error" data-for="documents_url" hidden></p></div>
  <div class="field"><label for="virtual_tour_url">Virtual tour (link)</label>
    <input id="virtual_tour_url" name="virtual_tour_url" inputmode="url" value="{{VIRTUAL_TOUR_URL}}" placeholder="https://">
    <p class="error" data-for="virtual_tour_url" hidden></p></div>
  <div class="cols">
    <div class="field"><label for="latitude">Latitude</label><input id="latitude" name="latitude" data-type="number" value="{{LATITUDE}}">
      <p class="error" data-for="latitude" hidden></p></div>
    <div class="field"><label for="longitude">Longitude</label><input id="longitude" name="longitude" data-type="number" value="{{LONGITUDE}}">
      <p class="error" data-for="longitude" hidden></p></div>
  </div>
  {{#LANG}}<fieldset class="field"><legend>Description ({{CODE}})</legend>
    <label for="title-{{CODE}}">Title</label><input id="title-{{CODE}}" name="descriptions.{{CODE}}.title" value="{{DTITLE}}">
    <label for="text-{{CODE}}">Text</label><textarea id="text-{{CODE}}" name="descriptions.{{CODE}}.text" rows="4">{{DTEXT}}</textarea>
  </fieldset>{{/LANG}}
  <p class="error" data-for="descriptions" hidden></p>
  <div class="actions">
    <button type="submit" class="primary">Save</button>
    <a class="button" href="{{BACK}}">Cancel</a>
  </div>
</form>
<script src="/static/properties.js" defer></script>
