{{%AUTOESCAPE context="HTML"}}<section class="card narrow">
  <h1>{{TITLE}}</h1>
  <p>For <strong>{{EMAIL}}</strong></p>
  {{#ERROR}}<p class="error" role="alert">{{MESSAGE}}</p>{{/ERROR}}
  <form method="post" action="{{ACTION}}" class="form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <label for="password">New password (10 characters or more)</label>
    <input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required>
    <label for="password_again">The same again</label>
    <input id="password_again" name="password_again" type="password" autocomplete="new-password" required>
    <button type="submit" class="primary">Save password</button>
  </form>
</section>
