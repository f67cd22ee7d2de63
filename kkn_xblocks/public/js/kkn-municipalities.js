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

  return {bindMeeting: bindMeeting};
}());
