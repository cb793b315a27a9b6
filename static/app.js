// The back office's notice for parts htmx asks for (#request-error, in the layout): the
// server fills it when it refuses one; this empties it when the next request starts, and
// says so when a request could not reach the server at all.
(function () {
  function notice() {
    return document.getElementById('request-error');
  }
  document.addEventListener('htmx:beforeRequest', function (event) {
    // A part that refreshes itself (a running upload's progress) leaves the notice alone.
    var trigger = event.target && event.target.getAttribute && event.target.getAttribute('hx-trigger');
    if (trigger && /\bevery\b|\bload\b/.test(trigger)) return;
    var box = notice();
    if (box) box.textContent = '';
  });
  document.addEventListener('htmx:sendError', function () {
    var box = notice();
    if (box) box.textContent = box.getAttribute('data-offline') || '';
  });
})();
