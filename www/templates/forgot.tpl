{{%AUTOESCAPE context="HTML"}}<section class="card narrow">
  <h1>Forgot your password?</h1>
  <p>Enter your email address; if it has an account, we send a link to choose a new password.</p>
  <form method="post" action="/password/forgot" class="form">
    <input type="hidden" name="_csrf" value="{{CSRF}}">
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="username" required>
    <button type="submit" class="primary">Send the link</button>
  </form>
</section>
