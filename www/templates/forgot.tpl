{{%AUTOESCAPE context="HTML"}}<section class="card narrow auth">
  <h1 id="forgot-title">Forgot your password?</h1>
  <p class="muted" id="forgot-help">Enter your email address; if it has an account, we send a link to choose a new password.</p>
  <form method="post" action="/password/forgot" class="form" aria-describedby="forgot-help">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <div class="field">
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" spellcheck="false" autocapitalize="off" required>
    </div>
    <div class="actions">
      <button type="submit" class="primary block">Send the link</button>
    </div>
  </form>
  <p class="aside"><a href="/login">Back to log in</a></p>
</section>
