{{%AUTOESCAPE context="HTML"}}<div class="page-head">
  <div>
    <h1>Dashboard</h1>
    <p class="lead">Welcome, {{USER_NAME}}.</p>
  </div>
</div>
<section aria-labelledby="at-a-glance">
  <h2 id="at-a-glance" class="visually-hidden">At a glance</h2>
  <ul class="tiles">
    <li class="tile"><span class="num" id="user-count">{{USER_COUNT}}</span> <span class="label">Active users</span></li>
    <li class="tile"><span class="num">{{JOB_COUNT}}</span> <span class="label">Jobs waiting</span></li>
  </ul>
</section>
