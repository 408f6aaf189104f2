// The LSOA map: bundled boundaries only, no tile layer, so nothing is fetched from outside the app.
(function () {
  var element = document.getElementById('lsoa-map');
  if (!element || !window.L) { return; }
  var map = L.map(element, { attributionControl: true });
  map.attributionControl.addAttribution('Boundaries: ONS, Open Government Licence');
  fetch(element.dataset.geojson).then(function (r) { return r.json(); }).then(function (data) {
    var layer = L.geoJSON(data, {
      style: function () { return { color: '#1d70b8', weight: 1, fillOpacity: 0.1 }; },
      onEachFeature: function (feature, shape) {
        var p = feature.properties || {};
        shape.bindTooltip((p.lsoa21nm || p.LSOA21NM || p.name || '') + ' ' + (p.lsoa21cd || p.LSOA21CD || p.code || ''));
      }
    }).addTo(map);
    map.fitBounds(layer.getBounds());
  });
})();
