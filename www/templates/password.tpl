{{%AUTOESCAPE context="HTML"}}<section class="card narrow auth">
  <h1 id="password-title">{{TITLE}}</h1>
  <p>For <strong>{{EMAIL}}</strong></p>
  {{#ERROR}}<p class="flash error" role="alert" id="password-error"><span class="msg">{{MESSAGE}}</span></p>{{/ERROR}}
  <form method="post" action="{{ACTION}}" class="form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <input type="email" autocomplete="username" value="{{EMAIL}}" hidden readonly>
    <div class="field">
      <label for="password">New password</label>
      <input id="password" name="password" type="password" autocomplete="new-password" minlength="10" maxlength="200" required aria-describedby="password-hint{{#ERROR}} password-error{{/ERROR}}"{{#ERROR}} aria-invalid="true"{{/ERROR}}>
      <p class="hint" id="password-hint">10 characters or more.</p>
    </div>
    <div class="field">
      <label for="password_again">The same again</label>
      <input id="password_again" name="password_again" type="password" autocomplete="new-password" maxlength="200" required>
    </div>
    <div class="actions">
      <button type="submit" class="primary block">Save password</button>
    </div>
  </form>
</section>
