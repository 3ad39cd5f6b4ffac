/* The managers' funnel charts (Chart.js): deals per stage with the share
 * reaching the next stage, won value per month, leads by source. The numbers
 * come from GET /api/v1/deals/funnel; the tables beside them need no script. */
(function () {
  'use strict';
  if (!window.Chart) {
    return;
  }
  var cache = {};

  function funnel(pipeline) {
    if (!cache[pipeline]) {
      cache[pipeline] = fetch('/api/v1/deals/funnel?pipeline=' + encodeURIComponent(pipeline), {
        credentials: 'same-origin',
        headers: { 'X-CSRF-Token': window.tesoro.csrfToken() }
      }).then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); });
    }
    return cache[pipeline];
  }

  function draw(canvas, data) {
    var kind = canvas.getAttribute('data-chart');
    var d = data.data;
    var config;
    if (kind === 'stages') {
      config = {
        type: 'bar',
        data: {
          labels: d.stages.map(function (s) { return s.label; }),
          datasets: [
            { label: 'Deals now', data: d.stages.map(function (s) { return s.deals; }), backgroundColor: '#3b6fd4' },
            { label: 'Reached', data: d.stages.map(function (s) { return s.reached || 0; }), backgroundColor: '#9db5e8' }
          ]
        },
        options: { responsive: true, plugins: { title: { display: true, text: 'Deals per stage' } } }
      };
    } else if (kind === 'won') {
      /* One bar series per currency: EUR and GBP are never added. */
      var months = [], currencies = [];
      d.won_by_month.forEach(function (m) {
        if (months.indexOf(m.month) < 0) { months.push(m.month); }
        if (currencies.indexOf(m.currency) < 0) { currencies.push(m.currency); }
      });
      var colours = ['#1f7a3d', '#7a5c1f', '#1f4f7a', '#7a1f5c'];
      config = {
        type: 'bar',
        data: {
          labels: months,
          datasets: currencies.map(function (cur, i) {
            return {
              label: 'Won value (' + cur + ')',
              data: months.map(function (mo) {
                var row = d.won_by_month.find(function (m) { return m.month === mo && m.currency === cur; });
                return row ? row.value / 100 : 0;
              }),
              backgroundColor: colours[i % colours.length]
            };
          })
        },
        options: { responsive: true, plugins: { title: { display: true, text: 'Won value per month' } } }
      };
    } else {
      config = {
        type: 'doughnut',
        data: {
          labels: d.leads_by_source.map(function (s) { return s.source; }),
          datasets: [{ data: d.leads_by_source.map(function (s) { return s.leads; }) }]
        },
        options: { responsive: true, plugins: { title: { display: true, text: 'Leads by source' } } }
      };
    }
    canvas.chart = new window.Chart(canvas, config);
  }

  var canvases = document.querySelectorAll('canvas[data-chart]');
  Array.prototype.forEach.call(canvases, function (c) {
    funnel(c.getAttribute('data-pipeline')).then(function (data) { draw(c, data); }, function () {});
  });
})();
