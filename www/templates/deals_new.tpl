{{%AUTOESCAPE context="HTML"}}<div class="page-head"><div><h1 id="page-title">New deal</h1></div></div>
<form method="post" action="/deals/new" class="form card">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  {{#ERROR}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/ERROR}}
  <div class="field"><label for="name">Name</label><input id="name" name="name" value="{{NAME}}" maxlength="100" required></div>
  <div class="cols">
    <div class="field"><label for="type">Type</label>
      <select id="type" name="type">{{#TYPE_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/TYPE_OPT}}</select></div>
    <div class="field"><label for="value">Value <span class="optional">(EUR)</span></label><input id="value" name="value" inputmode="decimal" value="{{VALUE}}"></div>
  </div>
  <div class="field"><label for="contact">Main contact (id)</label><input id="contact" name="contact" inputmode="numeric" value="{{CONTACT}}" required aria-describedby="contact-hint">
    <p class="hint" id="contact-hint">{{#HAS_CONTACT}}{{CONTACT_NAME}}{{/HAS_CONTACT}}</p></div>
  <div class="cols">
    <div class="field"><label for="property">Primary property (id) <span class="optional">(optional)</span></label><input id="property" name="property" inputmode="numeric" value="{{PROPERTY}}"></div>
    <div class="field"><label for="close">Expected close <span class="optional">(optional)</span></label><input id="close" name="close" type="date" value="{{CLOSE}}"></div>
  </div>
  {{>CUSTOM}}
  <div class="actions"><button type="submit" class="primary">Create deal</button><a class="button" href="/deals">Cancel</a></div>
</form>
