{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div><h1 id="page-title">{{HEADING}}</h1></div>
</div>
<form method="post" action="{{ACTION}}" class="form card" novalidate>
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  {{#HAS_ERRORS}}<p class="flash error" role="alert"><span class="msg">Some fields need a look: see below.</span></p>{{/HAS_ERRORS}}
  {{#ERRORS}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/ERRORS}}
  {{#FIELD}}<div class="field">
    <label for="f-{{NAME}}">{{LABEL}}</label>
    {{#INPUT}}<input id="f-{{NAME}}" name="{{NAME}}" type="{{TYPE}}" inputmode="{{MODE}}" value="{{VALUE}}"{{#INVALID}} aria-invalid="true" aria-describedby="f-{{NAME}}-error"{{/INVALID}}>{{/INPUT}}
    {{#SELECT}}<select id="f-{{NAME}}" name="{{NAME}}"{{#INVALID}} aria-invalid="true" aria-describedby="f-{{NAME}}-error"{{/INVALID}}>{{#OPT}}<option value="{{OPT_VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT_LABEL}}</option>{{/OPT}}</select>{{/SELECT}}
    {{#TEXTAREA}}<textarea id="f-{{NAME}}" name="{{NAME}}" rows="4"{{#INVALID}} aria-invalid="true" aria-describedby="f-{{NAME}}-error"{{/INVALID}}>{{VALUE}}</textarea>{{/TEXTAREA}}
    {{#ERROR}}<p class="error" id="f-{{NAME}}-error">{{MESSAGE}}</p>{{/ERROR}}
  </div>{{/FIELD}}
  {{>CUSTOM}}
  <div class="actions">
    <button type="submit" class="primary">Save</button>
    <a class="button" href="{{CANCEL}}">Cancel</a>
  </div>
</form>
