{{%AUTOESCAPE context="HTML"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{{CSRF}}">
<title>{{TITLE}} · {{TENANT_NAME}}</title>
<link rel="stylesheet" href="/static/tesoro.css">
<script src="/static/vendor/htmx.org/dist/htmx.min.js" defer></script>
<script src="/static/tesoro.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">{{TENANT_NAME}}</a>
  {{#LOGGED_IN}}
  <button class="menu-toggle" type="button" aria-controls="nav" aria-expanded="false">Menu</button>
  <nav id="nav" aria-label="Main">
    <a href="/">Dashboard</a>
    <a href="/leads">Leads</a>
    <a href="/contacts">Contacts</a>
    <a href="/relations">Relations</a>
    <a href="/properties">Properties</a>
    <a href="/deals">Deals</a>
    <a href="/tasks">Tasks</a>
    <a href="/feeds">Feeds &amp; portals</a>
    {{#IS_ADMIN}}<a href="/settings/outbox">Settings</a>{{/IS_ADMIN}}
  </nav>
  <div class="who">
    <span class="user" data-role="{{USER_ROLE}}">{{USER_NAME}}</span>
    <form method="post" action="/logout" class="inline">
      <input type="hidden" name="_csrf" value="{{CSRF}}">
      <button type="submit" class="link">Log out</button>
    </form>
  </div>
  {{/LOGGED_IN}}
</header>
<main id="main">
  {{#FLASH}}<p class="flash" role="status">{{MESSAGE}}</p>{{/FLASH}}
  {{BODY:none}}
</main>
</body>
</html>
