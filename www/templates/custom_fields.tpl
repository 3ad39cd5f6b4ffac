{{%AUTOESCAPE context="HTML"}}{{#FIELD}}<div class="field" data-custom="{{KEY}}">
    {{#INPUT}}<label for="f-{{ID}}">{{LABEL}}{{#REQUIRED}} <span class="required">(required)</span>{{/REQUIRED}}</label>
    <input id="f-{{ID}}" name="{{NAME}}" type="{{TYPE}}" inputmode="{{MODE}}" step="any" value="{{VALUE}}"{{#NUMBER}} data-type="number"{{/NUMBER}}{{#INVALID}} aria-invalid="true" aria-describedby="f-{{ID}}-error"{{/INVALID}}>{{/INPUT}}
    {{#SELECT}}<label for="f-{{ID}}">{{LABEL}}{{#REQUIRED}} <span class="required">(required)</span>{{/REQUIRED}}</label>
    <select id="f-{{ID}}" name="{{NAME}}"{{#INVALID}} aria-invalid="true" aria-describedby="f-{{ID}}-error"{{/INVALID}}>{{#OPT}}<option value="{{OPT_VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{OPT_LABEL}}</option>{{/OPT}}</select>{{/SELECT}}
    {{#CHECKBOX}}<label class="check" for="f-{{ID}}"><input id="f-{{ID}}" name="{{NAME}}" type="checkbox" value="true"{{#CHECKED}} checked{{/CHECKED}} data-type="bool"{{#INVALID}} aria-invalid="true" aria-describedby="f-{{ID}}-error"{{/INVALID}}> {{LABEL}}</label>{{/CHECKBOX}}
    {{#CHECKS}}<fieldset id="f-{{ID}}"{{#INVALID}} aria-invalid="true" aria-describedby="f-{{ID}}-error"{{/INVALID}}><legend>{{LABEL}}{{#REQUIRED}} <span class="required">(required)</span>{{/REQUIRED}}</legend>
      {{#OPT}}<label class="check" for="{{OPT_ID}}"><input id="{{OPT_ID}}" name="{{NAME}}" type="checkbox" value="{{OPT_VALUE}}"{{#CHECKED}} checked{{/CHECKED}} data-type="list"> {{OPT_LABEL}}</label>{{/OPT}}</fieldset>{{/CHECKS}}
    {{#COMPUTED}}<span class="label">{{LABEL}}</span> <output id="f-{{ID}}">{{VALUE}}</output> <span class="muted small">(computed)</span>{{/COMPUTED}}
    <p class="error" id="f-{{ID}}-error" data-for="{{NAME}}"{{#NO_ERROR}} hidden{{/NO_ERROR}}>{{MESSAGE}}</p>
  </div>{{/FIELD}}
