/* Municipalities as the unit: the staff overview and the contact list (meeting block) and the
   shared development task (module block). The server renders every part and decides everything;
   this script sends what people choose or type and swaps in the server's HTML. */
window.KknMunicipalities = window.KknMunicipalities || (function () {
  'use strict';
  var K = window.KknCommon;
  var q = function (scope, role) { return scope.querySelector('[data-role="' + role + '"]'); };

  function bindContacts(runtime, element, s) {
    var root = K.rootOf(element);
    var section = q(root, 'contacts');
    if (!section) { return; }
    var status = q(section, 'contact-status');
    var list = q(section, 'contact-list');
    var form = q(section, 'contact-form');

    function showList() {
      K.post(runtime, element, 'contacts', {}, s.failed).then(function (result) {
        list.innerHTML = result.html;
      }, function (error) { K.announce(status, error.message, true); });
    }

    section.querySelector('[data-action="show-contacts"]').addEventListener('click', showList);
    if (form) {
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        K.post(runtime, element, 'contact_choice', {
          listed: q(form, 'contact-listed').checked,
          email: q(form, 'contact-email').value
        }, s.failed).then(function (result) {
          var shown = !!list.innerHTML.trim();
          section.outerHTML = result.html;
          bindContacts(runtime, element, s);
          var fresh = q(K.rootOf(element), 'contacts');
          var freshStatus = q(fresh, 'contact-status');
          freshStatus.textContent = '';
          K.announce(freshStatus, result.message);
          if (shown) { fresh.querySelector('[data-action="show-contacts"]').click(); }
        }, function (error) { K.announce(status, error.message, true); });
      });
    }
  }

  function bindOverview(runtime, element, s) {
    var root = K.rootOf(element);
    var button = root.querySelector('[data-action="show-overview"]');
    if (!button) { return; }
    var status = q(root, 'overview-status');
    button.addEventListener('click', function () {
      K.post(runtime, element, 'overview', {region: q(root, 'overview-region').value}, s.failed)
        .then(function (result) {
          q(root, 'overview-body').innerHTML = result.html;
          K.announce(status, s.loaded);
        }, function (error) { K.announce(status, error.message, true); });
    });
  }

  function bindMeeting(runtime, element, s) {
    bindContacts(runtime, element, s);
    bindOverview(runtime, element, s);
  }

  /* The shared task: save with the version read (the server refuses a stale one and sends both
     texts), approve the version shown, read the history. */
  function bindSharedTask(runtime, element, s, showProgress) {
    var root = K.rootOf(element);
    var part = q(root, 'shared-task');
    if (part) { bindSharedPart(runtime, element, s, showProgress, part); }
    var staffHistory = q(root, 'shared-staff-history');
    root.querySelectorAll('[data-action="shared-staff-history"]').forEach(function (button) {
      button.addEventListener('click', function () {
        K.post(runtime, element, 'shared_history', {municipality: button.getAttribute('data-municipality')}, s.failed)
          .then(function (result) {
            staffHistory.innerHTML = result.html;
            staffHistory.focus();
          }, function (error) { staffHistory.textContent = error.message; });
      });
    });
  }

  function bindSharedPart(runtime, element, s, showProgress, part) {
    var form = q(part, 'shared-form');
    var status = q(part, 'shared-status');

    function replace(html, message, isError) {
      var holder = document.createElement('div');
      holder.innerHTML = html;
      var fresh = holder.firstElementChild;
      part.replaceWith(fresh);
      bindSharedPart(runtime, element, s, showProgress, fresh);
      K.announce(q(fresh, 'shared-status'), message, isError);
    }

    q(part, 'shared-history') && part.querySelector('[data-action="shared-history"]').addEventListener('click', function () {
      K.post(runtime, element, 'shared_history', {}, s.failed).then(function (result) {
        q(part, 'shared-history').innerHTML = result.html;
      }, function (error) { K.announce(status, error.message, true); });
    });
    if (!form) { return; }
    var text = q(form, 'shared-text');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var version = parseInt(part.getAttribute('data-version'), 10) || 0;
      K.post(runtime, element, 'shared_save', {text: text.value, version: version}, s.failed).then(function (result) {
        replace(result.html, result.message);
      }, function (error) {
        var body = error.body || {};
        if (body.conflict) {
          /* Nothing was saved: keep her text where it is, show theirs beside it, and let her next
             save build on the version she has now seen. */
          part.setAttribute('data-version', body.version);
          var conflict = q(part, 'shared-conflict');
          q(conflict, 'shared-theirs').value = body.current_text;
          conflict.hidden = false;
          K.announce(status, error.message, true);
        } else if (body.html) {
          replace(body.html, error.message, true);
        } else {
          K.announce(status, error.message, true);
        }
      });
    });
    var approve = form.querySelector('[data-action="shared-approve"]');
    if (approve) {
      approve.addEventListener('click', function () {
        var version = parseInt(part.getAttribute('data-version'), 10) || 0;
        K.post(runtime, element, 'shared_approve', {version: version}, s.failed).then(function (result) {
          replace(result.html, result.message);
          showProgress(result);
        }, function (error) {
          var body = error.body || {};
          if (body.html) { replace(body.html, error.message, true); } else { K.announce(status, error.message, true); }
        });
      });
    }
  }

  return {bindMeeting: bindMeeting, bindSharedTask: bindSharedTask};
}());
