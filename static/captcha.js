/*
 * The portal captcha's glue (decision 0010). Served after the ALTCHA widget in the same file
 * (altcha.js), and alone for reCAPTCHA and for browsers without modules. ES5 on purpose.
 */
(function () {
  'use strict';

  // When the widget cannot work here, the question is shown: its markup is the text of the
  // <noscript> beside the widget (inert while scripts run).
  function reveal(box) {
    if (box.querySelector('.captcha-question')) return;
    var source = box.querySelector('noscript');
    if (!source) return;
    var holder = document.createElement('div');
    holder.innerHTML = source.textContent;
    box.appendChild(holder);
  }

  function altcha(box, widget) {
    var global = window.$altcha;
    if (!global || !window.isSecureContext || !window.Worker || !window.crypto || !window.crypto.subtle) {
      widget.parentNode.removeChild(widget);
      return reveal(box);
    }
    var worker = widget.getAttribute('data-worker');
    global.algorithms.set('PBKDF2/SHA-256', function () {
      return new Worker(worker);
    });
    var strings = JSON.parse(widget.getAttribute('data-strings') || '{}');
    var english = global.i18n.get('en') || {};
    for (var key in english) if (!(key in strings)) strings[key] = english[key];
    global.i18n.set(widget.getAttribute('language') || 'es', strings);
    // A debtor who presses the button before the work is done waits for it: the form is sent
    // as soon as the widget reports the solution (the form has novalidate, so the browser
    // would not hold it back).
    var form = widget.closest ? widget.closest('form') : null;
    var state = '';
    var waiting = false;
    if (form) {
      form.addEventListener('submit', function (event) {
        if (state === 'verified' || !widget.parentNode) return;
        event.preventDefault();
        waiting = true;
        var button = form.querySelector('[type=submit]');
        if (button) button.setAttribute('aria-busy', 'true');
      });
    }
    widget.addEventListener('statechange', function (event) {
      state = (event.detail && event.detail.state) || '';
      if (state === 'verified' && waiting && form) {
        waiting = false;
        if (form.requestSubmit) form.requestSubmit();
        else form.submit();
      }
      // On failure the widget gives way to the question: its unchecked box would keep blocking the form.
      if (state !== 'error') return;
      if (widget.parentNode) widget.parentNode.removeChild(widget);
      reveal(box);
    });
  }

  function recaptcha(box, element) {
    var script = document.createElement('script');
    script.src = element.getAttribute('data-script');
    script.async = true;
    script.onerror = function () {
      reveal(box);
    };
    document.head.appendChild(script);
    // Blocked without an error event (some filters answer with nothing): the question after a while.
    setTimeout(function () {
      if (!window.grecaptcha) reveal(box);
    }, 15000);
  }

  var boxes = document.querySelectorAll('.captcha');
  for (var i = 0; i < boxes.length; i++) {
    var widget = boxes[i].querySelector('altcha-widget');
    var google = boxes[i].querySelector('.g-recaptcha');
    if (widget) altcha(boxes[i], widget);
    else if (google) recaptcha(boxes[i], google);
  }
})();
