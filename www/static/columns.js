/* Column chooser for list tables (see docs/ui.md, "Column chooser").
   A table marked data-columns="KEY" whose <th> carry data-col="name" gets its
   columns shown, hidden and ordered by the user. The choice is remembered in
   localStorage under ts.columns.KEY; a saved view's columns (data-view-columns)
   win over it; inputs with data-columns-input="KEY" (the "save view" form)
   always hold the current choice so a saved view keeps it. */
(function () {
  'use strict';

  var PREFIX = 'ts.columns.';

  function headers(table) {
    var row = table.tHead && table.tHead.rows[0];
    return row ? Array.prototype.slice.call(row.cells) : [];
  }

  /* Every cell remembers its place in the server's order, so a reorder
     can be undone whatever the current order is. */
  function markCells(table) {
    var rows = table.rows;
    for (var i = 0; i < rows.length; i++) {
      var cells = rows[i].cells;
      if (cells.length && cells[0].hasAttribute('data-col-index')) {
        continue;
      }
      for (var j = 0; j < cells.length; j++) {
        cells[j].setAttribute('data-col-index', String(j));
      }
    }
  }

  function allColumns(table) {
    var out = [];
    var ths = headers(table);
    for (var i = 0; i < ths.length; i++) {
      var name = ths[i].getAttribute('data-col');
      if (name) {
        out.push({ name: name, label: ths[i].textContent.trim(), index: +ths[i].getAttribute('data-col-index') });
      }
    }
    out.sort(function (a, b) { return a.index - b.index; });
    return out;
  }

  function parse(text, known) {
    var names = (text || '').split(',');
    var out = [];
    for (var i = 0; i < names.length; i++) {
      var n = names[i].trim();
      if (n && known.indexOf(n) >= 0 && out.indexOf(n) < 0) {
        out.push(n);
      }
    }
    return out;
  }

  function stored(key) {
    try {
      return window.localStorage.getItem(PREFIX + key);
    } catch (e) {
      return null;
    }
  }

  function store(key, list) {
    try {
      window.localStorage.setItem(PREFIX + key, list.join(','));
    } catch (e) {
      /* Private mode or full storage: the choice lasts for this page only. */
    }
  }

  /* The visible columns in order: the view's, else the remembered, else all. */
  function chosen(table) {
    var cols = allColumns(table).map(function (c) { return c.name; });
    var key = table.getAttribute('data-columns');
    var list = parse(table.getAttribute('data-view-columns'), cols);
    if (!list.length) {
      list = parse(stored(key), cols);
    }
    return list.length ? list : cols;
  }

  function apply(table, list) {
    var cols = allColumns(table);
    var byName = {};
    var fixed = [];
    var ths = headers(table);
    for (var i = 0; i < ths.length; i++) {
      if (!ths[i].getAttribute('data-col')) {
        fixed.push(+ths[i].getAttribute('data-col-index'));
      }
    }
    for (var c = 0; c < cols.length; c++) {
      byName[cols[c].name] = cols[c].index;
    }
    var order = fixed.concat(list.map(function (n) { return byName[n]; }));
    var hidden = cols.filter(function (col) { return list.indexOf(col.name) < 0; })
      .map(function (col) { return col.index; });
    var rows = table.rows;
    for (var r = 0; r < rows.length; r++) {
      var tr = rows[r];
      var cells = {};
      var all = Array.prototype.slice.call(tr.cells);
      if (all.length === 1 && all[0].colSpan > 1) {
        continue;
      }
      for (var k = 0; k < all.length; k++) {
        cells[all[k].getAttribute('data-col-index')] = all[k];
      }
      order.concat(hidden).forEach(function (idx) {
        var cell = cells[String(idx)];
        if (cell) {
          cell.hidden = hidden.indexOf(idx) >= 0;
          tr.appendChild(cell);
        }
      });
    }
    var key = table.getAttribute('data-columns');
    var inputs = document.querySelectorAll('input[data-columns-input="' + key + '"]');
    for (var n = 0; n < inputs.length; n++) {
      inputs[n].value = list.join(',');
    }
  }

  /* The chooser: one checkbox per column with move up / move down buttons. */
  function render(box, table, list) {
    var ul = box.querySelector('ul') || box.appendChild(document.createElement('ul'));
    ul.textContent = '';
    var cols = allColumns(table);
    var shown = list.slice();
    cols.forEach(function (c) {
      if (shown.indexOf(c.name) < 0) {
        shown.push(c.name);
      }
    });
    shown.forEach(function (name, pos) {
      var col = cols.filter(function (c) { return c.name === name; })[0];
      var li = document.createElement('li');
      li.setAttribute('data-col', name);
      var label = document.createElement('label');
      label.className = 'check';
      var cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.checked = list.indexOf(name) >= 0;
      cb.setAttribute('data-col-toggle', name);
      label.appendChild(cb);
      label.appendChild(document.createTextNode(' ' + col.label));
      li.appendChild(label);
      [['up', '\u2191', 'Move ' + col.label + ' up', pos === 0],
       ['down', '\u2193', 'Move ' + col.label + ' down', pos === shown.length - 1]].forEach(function (b) {
        var btn = document.createElement('button');
        btn.type = 'button';
        btn.className = 'small';
        btn.textContent = b[1];
        btn.setAttribute('aria-label', b[2]);
        btn.setAttribute('data-col-move', b[0]);
        btn.disabled = b[3];
        li.appendChild(btn);
      });
      ul.appendChild(li);
    });
  }

  function current(box) {
    var out = [];
    var lis = box.querySelectorAll('li[data-col]');
    for (var i = 0; i < lis.length; i++) {
      if (lis[i].querySelector('input[data-col-toggle]').checked) {
        out.push(lis[i].getAttribute('data-col'));
      }
    }
    return out;
  }

  function order(box) {
    return Array.prototype.map.call(box.querySelectorAll('li[data-col]'), function (li) {
      return li.getAttribute('data-col');
    });
  }

  function setup(root) {
    var tables = (root || document).querySelectorAll('table[data-columns]');
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      markCells(table);
      var list = chosen(table);
      apply(table, list);
      var box = document.querySelector('[data-columns-for="' + table.getAttribute('data-columns') + '"]');
      if (box) {
        render(box, table, list);
      }
    }
  }

  function changed(box, list, keepOrder) {
    var key = box.getAttribute('data-columns-for');
    var table = document.querySelector('table[data-columns="' + key + '"]');
    if (!table) {
      return;
    }
    /* Unchecked columns keep their place in the chooser until the next load. */
    store(key, list);
    table.setAttribute('data-view-columns', list.join(','));
    apply(table, list);
    var names = keepOrder || list;
    var all = allColumns(table).map(function (c) { return c.name; });
    render(box, table, list);
    var ul = box.querySelector('ul');
    names.concat(all).forEach(function (n, i, seq) {
      var li = ul.querySelector('li[data-col="' + n + '"]');
      if (li && seq.indexOf(n) === i) {
        ul.appendChild(li);
      }
    });
    var lis = ul.querySelectorAll('li[data-col]');
    for (var j = 0; j < lis.length; j++) {
      lis[j].querySelector('[data-col-move="up"]').disabled = j === 0;
      lis[j].querySelector('[data-col-move="down"]').disabled = j === lis.length - 1;
    }
  }

  document.addEventListener('change', function (evt) {
    var cb = evt.target;
    var box = cb.closest && cb.closest('[data-columns-for]');
    if (box && cb.hasAttribute('data-col-toggle')) {
      var list = current(box);
      if (!list.length) {
        cb.checked = true;   /* a list keeps at least one column */
        list = current(box);
      }
      changed(box, list, order(box));
    }
  });

  document.addEventListener('click', function (evt) {
    var btn = evt.target.closest && evt.target.closest('[data-col-move]');
    var box = btn && btn.closest('[data-columns-for]');
    if (!box) {
      return;
    }
    var li = btn.closest('li');
    var up = btn.getAttribute('data-col-move') === 'up';
    var other = up ? li.previousElementSibling : li.nextElementSibling;
    if (other) {
      li.parentNode.insertBefore(li, up ? other : other.nextElementSibling);
    }
    var names = order(box);
    var list = names.filter(function (n) { return current(box).indexOf(n) >= 0; });
    changed(box, list, names);
    var again = box.querySelector('li[data-col="' + li.getAttribute('data-col') + '"] [data-col-move="'
      + (up ? 'up' : 'down') + '"]');
    if (again && !again.disabled) {
      again.focus();
    } else if (again) {
      box.querySelector('li[data-col="' + li.getAttribute('data-col') + '"] input').focus();
    }
  });

  document.addEventListener('DOMContentLoaded', function () { setup(document); });
  /* htmx swaps the results (filtering, paging): the new table gets the same choice. */
  document.addEventListener('htmx:afterSettle', function () { setup(document); });
  window.tsColumns = { setup: setup };
}());
