/* Meeting check-in block. The server decides everything (codes, windows, statuses) and renders the
   learner part and the roster; this script sends what people type, swaps in the server's HTML and
   keeps the facilitator's code fresh. It never sees a secret and never sends a status for itself. */
function KknCheckinBlock(runtime, element, init) {
  'use strict';
  var K = window.KknCommon;
  var root = K.rootOf(element);
  var s = init.strings;
  var q = function (scope, role) { return scope.querySelector('[data-role="' + role + '"]'); };

  /* --- Learner ---------------------------------------------------------------------------------- */
  var learner = q(root, 'learner');

  function showOnlyRegion(form) {
    var region = q(form, 'region'), select = q(form, 'municipality');
    if (!region || !select) { return; }
    var chosen = select.options[select.selectedIndex];
    select.querySelectorAll('optgroup').forEach(function (group) {
      var mine = group.getAttribute('data-region') === region.value;
      group.hidden = !mine;
      group.disabled = !mine;
    });
    if (!chosen || chosen.parentNode.getAttribute('data-region') !== region.value) {
      var first = select.querySelector('optgroup[data-region="' + CSS.escape(region.value) + '"] option');
      if (first) { first.selected = true; }
    }
  }

  /* `code`: put in the code field (from the QR link, or what was typed before the part was
     re-rendered); `fromQr`: say so. */
  function bindLearner(code, fromQr) {
    if (!learner) { return; }
    var status = q(learner, 'status');
    var profileForm = q(learner, 'profile-form');
    var edit = learner.querySelector('[data-action="edit-profile"]');
    var checkinForm = q(learner, 'checkin-form');

    function replace(result) {
      var typed = checkinForm ? q(checkinForm, 'code').value : '';
      learner.innerHTML = result.html;
      bindLearner(typed, false);
      var fresh = q(learner, 'status');
      fresh.focus();
      K.announce(fresh, result.message);
    }

    if (profileForm) {
      showOnlyRegion(profileForm);
      q(profileForm, 'region').addEventListener('change', function () { showOnlyRegion(profileForm); });
      profileForm.addEventListener('submit', function (event) {
        event.preventDefault();
        var role = profileForm.querySelector('input[type="radio"]:checked');
        K.post(runtime, element, 'save_profile', {
          region: q(profileForm, 'region').value,
          municipality: q(profileForm, 'municipality').value,
          role: role ? role.value : ''
        }, s.failed).then(replace, function (error) { K.announce(status, error.message, true); });
      });
    }
    if (edit && profileForm) {
      edit.addEventListener('click', function () {
        var open = profileForm.hidden;
        profileForm.hidden = !open;
        edit.setAttribute('aria-expanded', open ? 'true' : 'false');
        if (open) { q(profileForm, 'region').focus(); }
      });
    }
    if (checkinForm) {
      var input = q(checkinForm, 'code');
      if (code) {
        input.value = code;
        if (fromQr) { K.announce(status, s.codeFilled); }
      }
      checkinForm.addEventListener('submit', function (event) {
        event.preventDefault();
        K.post(runtime, element, 'check_in', {code: input.value}, s.failed).then(function (result) {
          var list = q(learner, 'records');
          list.textContent = '';
          result.records.forEach(function (text) {
            var item = document.createElement('li');
            item.textContent = text;
            list.appendChild(item);
          });
          list.hidden = !result.records.length;
          input.value = '';
          if (!result.more) { checkinForm.hidden = true; }
          status.focus();
          K.announce(status, result.message);
        }, function (error) {
          K.announce(status, error.message, true);
          input.focus();
          input.select();
        });
      });
    }
  }

  var params = new URLSearchParams(window.location.search);
  bindLearner((params.get(init.codeParam) || '').slice(0, 12), true);

  /* --- Facilitator ------------------------------------------------------------------------------ */
  var select = q(root, 'session-select');
  var panel = q(root, 'panel');
  var staffStatus = q(root, 'staff-status');
  var refreshTimer = null, tickTimer = null;

  function pageUrl() {
    // The QR code must open the page the facilitator is on (in the LMS: the unit's own frame).
    return window.location.href.split('#')[0];
  }

  function stopTimers() {
    window.clearTimeout(refreshTimer);
    window.clearInterval(tickTimer);
  }

  function countDown(seconds) {
    var timer = q(panel, 'code-timer');
    window.clearInterval(tickTimer);
    tickTimer = window.setInterval(function () {
      seconds = Math.max(0, seconds - 1);
      if (timer) { timer.textContent = K.format(s.timer, {seconds: seconds}); }
    }, 1000);
  }

  function refreshCode() {
    var card = q(panel, 'code-panel');
    stopTimers();
    if (!card || card.getAttribute('data-phase') !== 'open') { return; }
    var session = card.getAttribute('data-session');
    K.post(runtime, element, 'staff_code', {session_id: session, page_url: pageUrl()}, s.failed).then(function (result) {
      if (!select || select.value !== session) { return; }
      q(panel, 'code').textContent = result.code;
      q(panel, 'code-timer').textContent = result.timer;
      if (result.qr_svg) { q(panel, 'qr').innerHTML = result.qr_svg; }
      countDown(result.seconds_left);
      refreshTimer = window.setTimeout(refreshCode, result.seconds_left * 1000 + 300);
    }, function (error) {
      if (error.status === 409) { loadPanel(); return; }  // the window closed: show the closed panel
      K.announce(staffStatus, error.message, true);
      refreshTimer = window.setTimeout(refreshCode, 10000);
    });
  }

  function loadPanel() {
    stopTimers();
    K.post(runtime, element, 'panel', {session_id: select.value}, s.failed).then(function (result) {
      panel.innerHTML = result.html;
      refreshCode();
    }, function (error) { K.announce(staffStatus, error.message, true); });
  }

  if (select && panel) {
    select.addEventListener('change', loadPanel);
    panel.addEventListener('submit', function (event) {
      var form = event.target.closest('[data-role="mark"]');
      if (!form) { return; }
      event.preventDefault();
      var learnerKey = form.getAttribute('data-learner');
      var status = form.querySelector('select').value;
      if (!status) { K.announce(staffStatus, s.chooseStatus, true); return; }
      K.post(runtime, element, 'mark', {session_id: select.value, learner_key: learnerKey, status: status}, s.failed)
        .then(function (result) {
          q(panel, 'roster').innerHTML = result.html;
          K.announce(staffStatus, result.message);
          var again = panel.querySelector('[data-role="mark"][data-learner="' + CSS.escape(learnerKey) + '"] select');
          if (again) { again.focus(); }
        }, function (error) { K.announce(staffStatus, error.message, true); });
    });
    refreshCode();
  }

  /* The programme overview and the contact list (kkn-municipalities.js). */
  window.KknMunicipalities.bindMeeting(runtime, element, init.strings);
}
