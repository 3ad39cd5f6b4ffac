{{%AUTOESCAPE context="HTML"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{{CSRF}}">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"historyCacheSize":0,"refreshOnHistoryMiss":true,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true}'>
<meta name="color-scheme" content="light">
<title>{{TITLE}} · {{TENANT_NAME}}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/tesoro.css">
<script src="/static/vendor/htmx.org/dist/htmx.min.js" defer></script>
<script src="/static/tesoro.js" defer></script>
</head>
<body{{#LOGGED_IN}} class="app"{{/LOGGED_IN}}>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span><span class="brand-name">{{TENANT_NAME}}</span></a>
  {{#LOGGED_IN}}
  <button class="menu-toggle" type="button" aria-controls="nav" aria-expanded="false">Menu</button>
  <nav id="nav" aria-label="Main">
    <ul>
      <li><a href="/">Dashboard</a></li>
      <li><a href="/leads">Leads</a></li>
      <li><a href="/contacts">Contacts</a></li>
      <li><a href="/relations">Relations</a></li>
      <li><a href="/properties">Properties</a></li>
      <li><a href="/deals">Deals</a></li>
      <li><a href="/tasks">Tasks</a></li>
      <li><a href="/feeds">Feeds &amp; portals</a></li>
      {{#IS_ADMIN}}<li><a href="/settings/outbox">Settings</a></li>{{/IS_ADMIN}}
    </ul>
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
<main id="main" tabindex="-1">
  {{#FLASH}}<p class="flash" role="status">{{MESSAGE}}</p>{{/FLASH}}
  {{BODY:none}}
</main>
</body>
</html>
