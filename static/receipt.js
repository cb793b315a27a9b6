// A receipt over the size limit is refused on the phone, before it is sent: on a slow network
// the upload would run for minutes only to be refused by the server (which checks it again).
// The limit and the message come from the form's own markup (data-max-bytes, data-too-large).
(function () {
  var boxes = document.querySelectorAll('[data-max-bytes]');
  Array.prototype.forEach.call(boxes, function (box) {
    var input = box.querySelector('input[type=file]');
    var form = input && input.form;
    if (!form) return;
    var max = Number(box.getAttribute('data-max-bytes'));
    var described = input.getAttribute('aria-describedby') || '';
    var note = null;
    function tooLarge() {
      return !!(input.files && input.files[0] && input.files[0].size > max);
    }
    function check() {
      if (tooLarge()) {
        if (!note) {
          note = document.createElement('p');
          note.className = 'error';
          note.id = input.id + '-size';
          note.setAttribute('role', 'alert');
          input.parentNode.insertBefore(note, input);
        }
        note.textContent = box.getAttribute('data-too-large');
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', (described + ' ' + note.id).trim());
      } else if (note) {
        note.parentNode.removeChild(note);
        note = null;
        input.removeAttribute('aria-invalid');
        if (described) input.setAttribute('aria-describedby', described);
        else input.removeAttribute('aria-describedby');
      }
    }
    input.addEventListener('change', check);
    form.addEventListener('submit', function (event) {
      if (!tooLarge()) return;
      event.preventDefault();
      check();
      input.focus();
    });
  });
})();
