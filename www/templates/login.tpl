{{%AUTOESCAPE context="HTML"}}<section class="card narrow auth">
  <h1 id="login-title">Log in</h1>
  {{#ERROR}}<p class="flash error" role="alert" id="login-error"><span class="msg">{{MESSAGE}}</span></p>{{/ERROR}}
  <form method="post" action="/login" class="form"{{#ERROR}} aria-describedby="login-error"{{/ERROR}}>
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <input type="hidden" name="next" value="{{NEXT}}">
    <div class="field">
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" spellcheck="false" autocapitalize="off" required value="{{EMAIL}}">
    </div>
    <div class="field">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
    </div>
    <div class="actions">
      <button type="submit" class="primary block">Log in</button>
    </div>
  </form>
  <p class="aside"><a href="/password/forgot">Forgot your password?</a></p>
</section>
