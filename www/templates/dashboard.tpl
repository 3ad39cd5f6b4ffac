{{%AUTOESCAPE context="HTML"}}<h1>Dashboard</h1>
<p class="lead">Welcome, {{USER_NAME}}.</p>
<div class="tiles">
  <div class="tile"><span class="num" id="user-count">{{USER_COUNT}}</span><span>active users</span></div>
  <div class="tile"><span class="num">{{JOB_COUNT}}</span><span>jobs waiting</span></div>
</div>
