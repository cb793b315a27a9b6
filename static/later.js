/*
 * Loads htmx on a /recovery page only when its countdown is first due to refresh (the
 * delay is on this script's tag): the offer is on screen and usable without it, so a debtor
 * on a slow phone does not wait for it, and one who leaves sooner never downloads it. The
 * countdown asks the server at once when htmx starts ("load" in its trigger), then keeps on
 * its own interval. ES5 on purpose.
 */
(function () {
  'use strict';
  var me = document.currentScript;
  if (!me) return;
  var src = me.getAttribute('data-src');
  var after = Number(me.getAttribute('data-after')) || 0;
  if (!src) return;
  function load() {
    var script = document.createElement('script');
    script.src = src;
    document.head.appendChild(script);
  }
  window.addEventListener('load', function () {
    window.setTimeout(load, after);
  });
})();
