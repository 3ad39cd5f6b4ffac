{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/deals.css">
<div class="page-head"><div><h1 id="page-title">Deal settings</h1><p class="muted">Next reference: <span id="ref-example">{{EXAMPLE}}</span></p></div></div>
<form method="post" action="/deals/settings" class="form card" aria-labelledby="page-title">
  <input type="hidden" name="_csrf" value="{{CSRF}}">
  {{#NOTICE}}<p class="flash" role="status"><span class="msg">{{MESSAGE}}</span></p>{{/NOTICE}}
  {{#ERROR}}<p class="flash error" role="alert"><span class="msg">{{MESSAGE}}</span></p>{{/ERROR}}
  <fieldset><legend>Reference numbers</legend>
  <div class="cols">
    <div class="field"><label for="ref_prefix">Prefix</label><input id="ref_prefix" name="ref_prefix" value="{{REF_PREFIX}}" maxlength="16"></div>
    <div class="field"><label for="ref_padding">Digits</label><input id="ref_padding" name="ref_padding" inputmode="numeric" value="{{REF_PADDING}}"></div>
    <div class="field"><label for="ref_suffix">Suffix</label><input id="ref_suffix" name="ref_suffix" value="{{REF_SUFFIX}}" maxlength="16"></div>
    <div class="field"><label for="next_number">Next number</label><input id="next_number" name="next_number" inputmode="numeric" value="{{NEXT_NUMBER}}"></div>
  </div>
  <p class="hint">Letters, digits and - _ / . # only; the next number can only move forward.</p>
  </fieldset>
  <div class="field"><label><input type="checkbox" name="sold_on_won" value="1"{{#SOLD_ON_WON}} checked{{/SOLD_ON_WON}}> Mark the primary property sold when a sale deal is won</label></div>
  <div class="actions"><button type="submit" class="primary">Save settings</button><a class="button" href="/deals">Cancel</a></div>
</form>
