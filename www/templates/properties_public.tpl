{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/properties.css">
<link rel="alternate" type="application/ld+json" href="/public/v1/{{SLUG}}/properties/{{ID}}/jsonld">
<article class="card" id="public-property" data-jsonld="/public/v1/{{SLUG}}/properties/{{ID}}/jsonld" data-beacon="/public/v1/{{SLUG}}/properties/{{ID}}/view">
  <h1 id="page-title">{{NAME}}</h1>
  <p class="lead">{{TOWN}} · {{PRICE}} <span class="badge" data-status="{{STATUS}}">{{STATUS}}</span></p>
  <ul class="gallery">{{#PHOTO}}<li><img src="{{SRC}}" alt="{{NAME}}"></li>{{/PHOTO}}</ul>
  <p class="description">{{DESCRIPTION}}</p>
</article>
<script src="/static/properties.js" defer></script>
