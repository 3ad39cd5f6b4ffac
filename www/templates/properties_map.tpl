{{%AUTOESCAPE context="HTML"}}<link rel="stylesheet" href="/static/properties.css">
<link rel="stylesheet" href="/static/vendor/leaflet/dist/leaflet.css">
<div class="page-head">
  <div><h1 id="page-title">Map of properties</h1>
    <p class="muted" id="map-count" aria-live="polite"></p></div>
  <div class="actions"><a class="button" href="{{LIST}}">Back to the list</a></div>
</div>
<div id="map" class="property-map" data-tiles="{{TILES}}" data-points="{{POINTS}}" role="region" aria-label="Map of the filtered properties"></div>
<script src="/static/vendor/leaflet/dist/leaflet.js" defer></script>
<script src="/static/properties.js" defer></script>
