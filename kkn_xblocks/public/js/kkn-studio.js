/* The kkn blocks' Studio editor: send every field as typed, show the server's field errors. */
function KknStudioForm(runtime, element, init) {
  'use strict';
  var K = window.KknCommon;
  var root = K.rootOf(element);
  var summary = root.querySelector('.kkn-studio__summary');
  var notify = function (name, data) { if (runtime.notify) { runtime.notify(name, data); } };

  function clearErrors() {
    summary.hidden = true;
    root.querySelectorAll('.kkn-studio__error').forEach(function (node) { node.hidden = true; node.textContent = ''; });
    root.querySelectorAll('[aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
  }

  function showErrors(message, fieldErrors) {
    summary.textContent = message;
    summary.hidden = false;
    var first = null;
    Object.keys(fieldErrors || {}).forEach(function (name) {
      var field = root.querySelector('.kkn-studio__field[data-name="' + name + '"]');
      if (!field) { return; }
      var error = field.querySelector('.kkn-studio__error');
      var input = field.querySelector('input, select, textarea');
      error.textContent = fieldErrors[name];
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      first = first || input;
    });
    (first || summary).focus();
  }

  root.querySelector('.save-button').addEventListener('click', function (event) {
    event.preventDefault();
    clearErrors();
    var values = {};
    root.querySelectorAll('.kkn-studio__field').forEach(function (field) {
      values[field.getAttribute('data-name')] = field.querySelector('input, select, textarea').value;
    });
    notify('save', {state: 'start', message: init.saving});
    K.post(runtime, element, 'studio_submit', {values: values}, init.failed).then(function () {
      notify('save', {state: 'end'});
    }, function (error) {
      showErrors(error.message, error.body && error.body.field_errors);
      notify('error', {title: init.failed, message: error.message});
    });
  });

  root.querySelector('.cancel-button').addEventListener('click', function (event) {
    event.preventDefault();
    notify('cancel', {});
  });
}
