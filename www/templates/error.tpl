{{%AUTOESCAPE context="HTML"}}<section class="card narrow error-page">
  <h1 id="error-title"><span class="status-code">{{STATUS}}</span> {{STATUS_TEXT}}</h1>
  <p class="msg">{{MESSAGE}}</p>
  <p><a class="button" href="/">Back to the dashboard</a></p>
</section>
