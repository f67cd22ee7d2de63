/* Distance-module block: word count, draft, task submission, self-check, progress. */
function KknModuleBlock(runtime, element, init) {
  'use strict';
  var K = window.KknCommon;
  var root = K.rootOf(element);
  var s = init.strings;
  var q = function (role) { return root.querySelector('[data-role="' + role + '"]'); };

  function showProgress(result) {
    if (!result || !result.progress) { return; }
    var text = q('progress-text'), bar = q('progress-bar'), list = q('progress-list');
    if (text) { text.textContent = result.progress.text; }
    if (bar) { bar.max = result.progress.total; bar.value = result.progress.done; bar.textContent = result.progress.text; }
    if (list) {
      // Every module is listed already (with its link); mark the ones now complete.
      (result.progress.completed_ids || []).forEach(function (id) {
        list.querySelectorAll('li[data-module]').forEach(function (li) {
          if (li.getAttribute('data-module') !== id) { return; }
          li.classList.add('kkn-progress__module--done');
          var state = li.querySelector('[data-role="module-state"]');
          if (state) { state.textContent = s.moduleDone; }
        });
      });
    }
    if (result.complete) {
      var done = q('complete');
      done.hidden = false;
      K.announce(done, s.complete);
    }
  }

  var taskForm = q('task-form');
  if (taskForm) {
    var text = q('task-text'), count = q('word-count'), status = q('task-status');
    var updateCount = function () {
      count.textContent = K.format(s.words, {count: K.countWords(text.value)});
    };
    text.addEventListener('input', updateCount);
    updateCount();

    taskForm.querySelector('[data-action="save-draft"]').addEventListener('click', function () {
      K.post(runtime, element, 'save_draft', {text: text.value}, s.failed).then(function () {
        K.announce(status, s.saved);
      }, function (error) { K.announce(status, error.message, true); });
    });

    taskForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var words = K.countWords(text.value);
      if (words < init.minWords) {
        K.announce(status, K.format(s.tooShort, {min: init.minWords, count: words}), true);
        text.focus();
        return;
      }
      K.post(runtime, element, 'submit_task', {text: text.value}, s.failed).then(function (result) {
        K.announce(status, s.submitted);
        showProgress(result);
      }, function (error) { K.announce(status, error.message, true); });
    });
  }

  var checkForm = q('check-form');
  if (checkForm) {
    var checkStatus = q('check-status');
    checkForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var answers = {};
      checkForm.querySelectorAll('[data-question]').forEach(function (fieldset) {
        var chosen = fieldset.querySelector('input:checked');
        if (chosen) { answers[fieldset.getAttribute('data-question')] = parseInt(chosen.value, 10); }
      });
      K.post(runtime, element, 'check_answers', {answers: answers}, s.failed).then(function (result) {
        checkForm.querySelectorAll('[data-question]').forEach(function (fieldset) {
          var feedback = fieldset.querySelector('[data-role="feedback"]');
          var right = result.correct.indexOf(fieldset.getAttribute('data-question')) !== -1;
          feedback.hidden = false;
          feedback.textContent = right ? init.strings.right : init.strings.wrong;
          feedback.className = 'kkn-feedback ' + (right ? 'kkn-feedback--right' : 'kkn-feedback--wrong');
        });
        var message = result.passed ? s.passed : s.notPassed;
        K.announce(checkStatus, K.format(message, {percent: result.percent, pass: init.passPercent}), !result.passed);
        showProgress(result);
      }, function (error) { K.announce(checkStatus, error.message, true); });
    });
  }

  /* The shared development task of a municipality (kkn-municipalities.js). */
  window.KknMunicipalities.bindSharedTask(runtime, element, s, showProgress);
}
