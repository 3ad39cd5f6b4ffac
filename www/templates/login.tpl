{{%AUTOESCAPE context="HTML"}}<section class="card narrow">
  <h1>Log in</h1>
  {{#ERROR}}<p class="error" role="alert">{{MESSAGE}}</p>{{/ERROR}}
  <form method="post" action="/login" class="form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <input type="hidden" name="next" value="{{NEXT}}">
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="username" required value="{{EMAIL}}">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit" class="primary">Log in</button>
  </form>
  <p><a href="/password/forgot">Forgot your password?</a></p>
</section>
