/* Final exam: start, autosave, a timer announced to screen readers at thresholds, confirmation
   before submitting, and the staff forms. The server renders every state; this script only sends
   the chosen option letters and swaps in what the server answers. */
function KknExamBlock(runtime, element, init) {
  'use strict';
  var K = window.KknCommon;
  var root = K.rootOf(element);
  var s = init.strings || {};
  var thresholds = init.thresholds || [];
  var role = function (scope, name) { return scope && scope.querySelector('[data-role="' + name + '"]'); };
  var status = role(root, 'status');
  var staffStatus = role(root, 'staff-status');
  var learner = role(root, 'learner');
  var staff = role(root, 'staff');
  var attempt = null;

  /* --- the attempt in progress ------------------------------------------------------------- */
  function setupAttempt() {
    var section = role(learner, 'attempt');
    if (!section) { return; }
    attempt = {
      section: section,
      form: role(section, 'attempt-form'),
      dialog: role(section, 'confirm'),
      number: parseInt(section.getAttribute('data-attempt'), 10),
      total: parseInt(section.getAttribute('data-total'), 10),
      endsAt: null, announced: {}, interval: null, saveTimer: null, saving: false, dirty: false, submitting: false
    };
    var seconds = section.getAttribute('data-seconds-left');
    if (seconds !== '') {
      setRemaining(parseInt(seconds, 10));
      tick();
      attempt.interval = window.setInterval(tick, 1000);
    }
  }

  function stopAttempt() {
    if (!attempt) { return; }
    window.clearInterval(attempt.interval);
    window.clearTimeout(attempt.saveTimer);
    attempt = null;
  }

  function setRemaining(seconds) {
    attempt.endsAt = window.performance.now() + seconds * 1000;
    thresholds.forEach(function (t) { attempt.announced[t.seconds] = seconds <= t.seconds; });
  }

  function remaining() {
    return Math.max(0, Math.ceil((attempt.endsAt - window.performance.now()) / 1000));
  }

  function clockText(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), sec = seconds % 60;
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return (h ? h + ':' + pad(m) : String(m)) + ':' + pad(sec);
  }

  function tick() {
    if (!attempt || attempt.endsAt === null) { return; }
    var left = remaining();
    var display = role(attempt.section, 'timer');
    display.textContent = clockText(left);
    display.parentNode.classList.toggle('kkn-exam__timer--low', left <= 60);
    thresholds.forEach(function (t) {
      if (left <= t.seconds && !attempt.announced[t.seconds] && left > 0) {
        attempt.announced[t.seconds] = true;
        K.announce(role(attempt.section, 'timer-announce'), t.text);
      }
    });
    if (left === 0 && !attempt.submitting) {
      window.clearInterval(attempt.interval);
      if (attempt.dialog && attempt.dialog.open) { attempt.dialog.close(); }
      K.announce(status, s.timeUp, true);
      submit();
    }
  }

  function collect() {
    var answers = {};
    attempt.form.querySelectorAll('[data-question]').forEach(function (fieldset) {
      var chosen = [];
      fieldset.querySelectorAll('input:checked').forEach(function (input) { chosen.push(input.value); });
      if (chosen.length) { answers[fieldset.getAttribute('data-question')] = chosen; }
    });
    return answers;
  }

  function scheduleSave(delay) {
    window.clearTimeout(attempt.saveTimer);
    attempt.saveTimer = window.setTimeout(save, delay);
  }

  function save() {
    if (!attempt || attempt.submitting) { return; }
    if (attempt.saving) { scheduleSave(500); return; }
    var current = attempt;
    current.saving = true;
    current.dirty = false;
    role(current.section, 'save-status').textContent = s.saving;
    K.post(runtime, element, 'save_answers', {attempt: current.number, answers: collect()}, s.failed).then(function (result) {
      current.saving = false;
      if (current !== attempt) { return; }
      role(current.section, 'save-status').textContent = result.saved_text;
      if (result.seconds_left !== null && result.seconds_left !== undefined) { setRemaining(result.seconds_left); }
    }, function (error) {
      current.saving = false;
      if (current !== attempt) { return; }
      role(current.section, 'save-status').textContent = error.message;
      refused(error);
      if (attempt === current && !error.status) { current.dirty = true; scheduleSave(10000); }  // offline: retry
    });
  }

  function openConfirm() {
    var answered = Object.keys(collect()).length;
    role(attempt.dialog, 'confirm-count').textContent = K.format(s.confirmAnswered, {answered: answered, total: attempt.total});
    if (typeof attempt.dialog.showModal === 'function') {
      attempt.dialog.showModal();
      attempt.dialog.querySelector('[data-action="cancel-submit"]').focus();
    } else if (window.confirm(attempt.dialog.textContent.replace(/\s+/g, ' '))) {
      submit();
    }
  }

  function submit() {
    if (!attempt || attempt.submitting) { return; }
    attempt.submitting = true;
    window.clearTimeout(attempt.saveTimer);
    var current = attempt;
    K.post(runtime, element, 'submit', {attempt: current.number, answers: collect()}, s.failed).then(function (result) {
      replaceLearner(result.html, '[data-results]');
      K.announce(status, result.message, !result.passed);
    }, function (error) {
      current.submitting = false;
      refused(error);
    });
  }

  /* A refusal that comes with a new view (time up, already submitted) replaces the page's state. */
  function refused(error) {
    if (error.body && error.body.html) { replaceLearner(error.body.html, '[data-results]'); }
    K.announce(status, error.message, true);
  }

  function replaceLearner(html, focus) {
    stopAttempt();
    learner.innerHTML = html;
    setupAttempt();
    var target = learner.querySelector(focus || '[data-focus]') || learner.querySelector('[data-focus]') ||
      learner.querySelector('h3');
    if (target) {
      if (!target.hasAttribute('tabindex')) { target.setAttribute('tabindex', '-1'); }
      target.focus();
    }
  }

  /* --- her answers to a submitted attempt: loaded when she opens them --------------------------- */
  function loadReview(details) {
    var list = role(details, 'review-list');
    var note = role(details, 'review-status');
    if (!details.open || list.children.length || details.getAttribute('aria-busy') === 'true') { return; }
    details.setAttribute('aria-busy', 'true');
    note.textContent = s.reviewLoading;
    note.hidden = false;
    var data = {attempt: parseInt(details.getAttribute('data-attempt'), 10)};
    K.post(runtime, element, 'review', data, s.failed).then(function (result) {
      details.removeAttribute('aria-busy');
      note.hidden = true;
      list.innerHTML = result.html;
    }, function (error) {
      details.removeAttribute('aria-busy');
      note.textContent = error.message;  // closing and opening her answers again tries again
    });
  }

  if (learner) {
    // "toggle" does not bubble: caught on its way down to the <details> she opened.
    learner.addEventListener('toggle', function (event) {
      if (event.target.matches && event.target.matches('[data-role="review"]')) { loadReview(event.target); }
    }, true);
    learner.addEventListener('change', function (event) {
      if (attempt && attempt.form.contains(event.target)) { attempt.dirty = true; scheduleSave(800); }
    });
    learner.addEventListener('submit', function (event) {
      if (attempt && event.target === attempt.form) { event.preventDefault(); openConfirm(); }
    });
    learner.addEventListener('click', function (event) {
      var button = event.target.closest('[data-action]');
      if (!button) { return; }
      var action = button.getAttribute('data-action');
      if (action === 'start') {
        button.disabled = true;
        K.post(runtime, element, 'start', {}, s.failed).then(function (result) {
          replaceLearner(result.html);
          K.announce(status, s.started);
        }, function (error) {
          button.disabled = false;
          K.announce(status, error.message, true);
        });
      } else if (action === 'confirm-submit') {
        attempt.dialog.close();
        submit();
      } else if (action === 'cancel-submit') {
        attempt.dialog.close();
        attempt.form.querySelector('[type="submit"]').focus();
      }
    });
  }

  /* --- staff ------------------------------------------------------------------------------ */
  function staffPost(handler, data) {
    K.post(runtime, element, handler, data, s.failed).then(function (result) {
      staff.innerHTML = result.html;
      prefill();
      K.announce(staffStatus, result.message);
      staff.querySelector('h3').focus();
    }, function (error) { K.announce(staffStatus, error.message, true); });
  }

  if (staff) {
    staff.addEventListener('change', function (event) {
      if (event.target.name !== 'learner_key') { return; }
      var option = event.target.options[event.target.selectedIndex];
      var form = event.target.form;
      form.elements.extra_minutes.value = option.getAttribute('data-extra') || '0';
      form.elements.exempt.checked = option.getAttribute('data-exempt') === '1';
    });
    staff.addEventListener('submit', function (event) {
      var form = event.target;
      var kind = form.getAttribute('data-role');
      if (kind !== 'accommodate-form' && kind !== 'revoke-form') { return; }
      event.preventDefault();
      if (kind === 'accommodate-form') {
        var minutes = form.elements.extra_minutes.value.trim();
        staffPost('accommodate', {
          learner_key: form.elements.learner_key.value,
          extra_minutes: /^\d+$/.test(minutes) ? parseInt(minutes, 10) : minutes,
          exempt: form.elements.exempt.checked,
          reason: form.elements.reason.value
        });
      } else {
        staffPost('revoke', {code: form.elements.code.value, reason: form.elements.reason.value});
      }
    });
    prefill();
  }

  /* The accommodation form starts from what the chosen learner already has. */
  function prefill() {
    var select = staff && staff.querySelector('select[name="learner_key"]');
    if (select) { select.dispatchEvent(new Event('change', {bubbles: true})); }
  }

  if (learner) { setupAttempt(); }
}

/* The printable certificate page: its print button. */
(function () {
  'use strict';
  function bind() {
    document.querySelectorAll('[data-kkn-print]').forEach(function (button) {
      button.addEventListener('click', function () { window.print(); });
    });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', bind); } else { bind(); }
}());
