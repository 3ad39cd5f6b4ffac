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
  {{#CUSTOM}}<div class="field" data-custom="{{KEY}}">
    {{#INPUT}}<label for="f-{{ID}}">{{LABEL}}{{#REQUIRED}} <span class="required">(required)</span>{{/REQUIRED}}</label>
    <input id="f-{{ID}}" name="{{NAME}}" type="{{TYPE}}" inputmode="{{MODE}}" step="any" value="{{VALUE}}"{{#INVALID}} aria-invalid="true" aria-describedby="f-{{ID}}-error"{{/INVALID}}>{{/INPUT}}
    {{#SELECT}}<label for="f-{{ID}}">{{LABEL}}{{#REQUIRED}} <span class="required">(required)</span>{{/REQUIRED}}</label>
    <select id="f-{{ID}}" name="{{NAME}}"{{#INVALID}} aria-invalid="true" aria-describedby="f-{{ID}}-error"{{/INVALID}}>{{#OPT}}<option value="{{OPT_VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT_LABEL}}</option>{{/OPT}}</select>{{/SELECT}}
    {{#CHECKBOX}}<label class="check" for="f-{{ID}}"><input id="f-{{ID}}" name="{{NAME}}" type="checkbox" value="true"{{#CHECKED}} checked{{/CHECKED}}{{#INVALID}} aria-invalid="true" aria-describedby="f-{{ID}}-error"{{/INVALID}}> {{LABEL}}</label>{{/CHECKBOX}}
    {{#CHECKS}}<fieldset id="f-{{ID}}"{{#INVALID}} aria-invalid="true" aria-describedby="f-{{ID}}-error"{{/INVALID}}><legend>{{LABEL}}{{#REQUIRED}} <span class="required">(required)</span>{{/REQUIRED}}</legend>
      {{#OPT}}<label class="check" for="{{OPT_ID}}"><input id="{{OPT_ID}}" name="{{NAME}}" type="checkbox" value="{{OPT_VALUE}}"{{#CHECKED}} checked{{/CHECKED}}> {{OPT_LABEL}}</label>{{/OPT}}</fieldset>{{/CHECKS}}
    {{#COMPUTED}}<span class="label">{{LABEL}}</span> <output id="f-{{ID}}">{{VALUE}}</output> <span class="muted small">(computed)</span>{{/COMPUTED}}
    {{#ERROR}}<p class="error" id="f-{{ID}}-error">{{MESSAGE}}</p>{{/ERROR}}
  </div>{{/CUSTOM}}
  <div class="actions">
    <button type="submit" class="primary">Save</button>
    <a class="button" href="{{CANCEL}}">Cancel</a>
  </div>
</form>
