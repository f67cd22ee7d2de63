/* Shared by the kkn blocks: JSON calls to handlers, message formatting, status announcements. */
window.KknCommon = window.KknCommon || (function () {
  'use strict';

  function rootOf(element) {
    return element && element.jquery ? element[0] : element;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : '';
  }

  /* POST JSON to a handler. Resolves with the body; rejects with an Error whose message is the
     server's translated explanation (or `fallback` when the network failed). */
  function post(runtime, element, handler, data, fallback) {
    return fetch(runtime.handlerUrl(rootOf(element), handler), {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrfToken()},
      body: JSON.stringify(data || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var error = new Error(body.error || fallback);
          error.status = response.status;
          error.body = body;
          throw error;
        }
        return body;
      });
    }, function () {
      throw new Error(fallback);
    });
  }

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  /* Put a message in a live region; clearing first makes screen readers repeat equal messages. */
  function announce(node, text, isError) {
    if (!node) { return; }
    node.textContent = '';
    node.classList.toggle('kkn-status--error', !!isError);
    window.setTimeout(function () { node.textContent = text; }, 30);
  }

  function countWords(text) {
    var words = String(text).match(/[\p{L}\p{N}_]+/gu);
    return words ? words.length : 0;
  }

  return {rootOf: rootOf, post: post, format: format, announce: announce, countWords: countWords};
}());
