/*
 * The portal captcha's glue (decision 0010). ES5 on purpose. The same file runs twice on a
 * page with the ALTCHA widget:
 * - as a classic script (captcha.js), in every browser: it shows the question where the widget
 *   cannot work, and otherwise loads the widget at the debtor's first touch, key or focus, so
 *   the page's first view stays small (SPEC 6: 30 KB compressed);
 * - at the end of the widget's module (altcha.js), where it registers the worker and the
 *   texts before the widget starts (it starts a millisecond after it is defined).
 * For reCAPTCHA only the classic script runs.
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

  function giveUp(box, widget) {
    if (widget.parentNode) widget.parentNode.removeChild(widget);
    reveal(box);
  }

  function formOf(element) {
    return element.closest ? element.closest('form') : null;
  }

  function busy(form, on) {
    var button = form && form.querySelector('[type=submit]');
    if (!button) return;
    if (on) button.setAttribute('aria-busy', 'true');
    else button.removeAttribute('aria-busy');
  }

  // A debtor who sends the form before the work is done waits for it; the module sends the
  // form as soon as the widget reports the solution (the form has novalidate, so the browser
  // would not hold it back).
  var WAITING = 'data-captcha-waiting';

  /** Classic script: load the widget when the debtor first does something on the page. */
  function arm(box, widget) {
    var capable =
      'noModule' in document.createElement('script') &&
      window.isSecureContext &&
      window.Worker &&
      window.crypto &&
      window.crypto.subtle &&
      window.customElements;
    if (!capable) return giveUp(box, widget);
    var form = formOf(widget);
    var loaded = false;
    var events = ['pointerdown', 'touchstart', 'keydown', 'focusin'];

    function hold(event) {
      if (window.$altcha || !widget.parentNode) return;
      event.preventDefault();
      form.setAttribute(WAITING, '');
      busy(form, true);
      load();
    }

    function load() {
      if (loaded) return;
      loaded = true;
      for (var i = 0; i < events.length; i++) document.removeEventListener(events[i], load, true);
      var style = document.createElement('link');
      style.rel = 'stylesheet';
      style.href = widget.getAttribute('data-style');
      document.head.appendChild(style);
      var script = document.createElement('script');
      script.type = 'module';
      script.src = widget.getAttribute('data-script');
      script.onload = function () {
        if (form) form.removeEventListener('submit', hold);
      };
      script.onerror = function () {
        if (form) {
          form.removeEventListener('submit', hold);
          form.removeAttribute(WAITING);
          busy(form, false);
        }
        giveUp(box, widget);
      };
      document.head.appendChild(script);
    }

    if (form) form.addEventListener('submit', hold);
    for (var i = 0; i < events.length; i++) document.addEventListener(events[i], load, { capture: true, passive: true });
  }

  // A page left open past the challenge's lifetime fetches a fresh one; a solution that old is
  // solved again before the form goes. performance.now() counts from the page's arrival, by
  // the phone's monotonic timer rather than its clock.
  function staleSince(widget, since) {
    var freshFor = Number(widget.getAttribute('data-fresh-for'));
    return !!freshFor && !!widget.getAttribute('data-challenge-url') && window.performance.now() - since > freshFor;
  }

  function freshChallenge(widget) {
    widget.setAttribute('challenge', widget.getAttribute('data-challenge-url'));
  }

  /** In the widget's module, before the widget starts. */
  function start(box, widget) {
    if (staleSince(widget, 0)) freshChallenge(widget);
    var global = window.$altcha;
    global.algorithms.set('PBKDF2/SHA-256', function () {
      return new Worker(widget.getAttribute('data-worker'));
    });
    var strings = JSON.parse(widget.getAttribute('data-strings') || '{}');
    var english = global.i18n.get('en') || {};
    for (var key in english) if (!(key in strings)) strings[key] = english[key];
    global.i18n.set(widget.getAttribute('language') || 'es', strings);
    var form = formOf(widget);
    var state = '';
    var verifiedAt = 0;
    var sent = false;
    if (form) {
      form.addEventListener('submit', function (event) {
        if (!widget.parentNode) return;
        // A second tap while the page is on its way would spend the same solution again and
        // bring back a refusal in place of the first send's answer.
        if (sent) return event.preventDefault();
        if (state === 'verified' && !staleSince(widget, verifiedAt)) {
          sent = true;
          return;
        }
        event.preventDefault();
        form.setAttribute(WAITING, '');
        busy(form, true);
        if (state === 'verified') {
          state = '';
          freshChallenge(widget);
          widget.reset();
          widget.verify();
        }
      });
      // Back to this page from the next one (the browser kept it): it may be sent again.
      window.addEventListener('pageshow', function (event) {
        if (!event.persisted) return;
        sent = false;
        // Its solution went with the first send: the next send solves anew.
        verifiedAt = -Infinity;
        busy(form, false);
      });
    }
    widget.addEventListener('statechange', function (event) {
      state = (event.detail && event.detail.state) || '';
      if (state === 'verified') verifiedAt = window.performance.now();
      if (state === 'verified' && form && form.hasAttribute(WAITING)) {
        form.removeAttribute(WAITING);
        if (form.requestSubmit) form.requestSubmit();
        else form.submit();
      }
      // On failure the widget gives way to the question: its unchecked box would keep blocking the form.
      if (state !== 'error') return;
      if (form) {
        form.removeAttribute(WAITING);
        busy(form, false);
      }
      giveUp(box, widget);
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

  // document.currentScript is null only while a module runs: here, the end of altcha.js.
  var inModule = !document.currentScript;
  var boxes = document.querySelectorAll('.captcha');
  for (var i = 0; i < boxes.length; i++) {
    var widget = boxes[i].querySelector('altcha-widget');
    var google = boxes[i].querySelector('.g-recaptcha');
    if (widget) (inModule ? start : arm)(boxes[i], widget);
    else if (google && !inModule) recaptcha(boxes[i], google);
  }
})();
