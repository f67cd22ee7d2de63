"""The programme's opt-in contact list ("kontaktytor"), shown in the meeting block.

One aim of the seminar series is to create contacts between the culture, business and tourism
people of the municipalities. A participant may choose to be listed (her name, municipality, role
and region from her profile, and an e-mail address if she adds one) for the other participants of
the programme. Nobody is listed without her choice; withdrawing deletes her listing at once.
Course staff see who opted in (name, municipality, role, region), not the e-mail addresses.
"""
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from . import checkin_rules as rules
from .handlers import Refusal, json_handler
from .records import api

MAX_EMAIL_CHARS = 254


def _(text):
    return text


class ContactListMixin:
    """Mixed into ``MeetingCheckinBlock`` (uses its role labels and templates)."""

    def _contacts_html(self, person, message=""):
        """Her choice (a learner) and, for participants and staff, the list itself."""
        listed, email = api.contact_choice(person.key, self.programme_id) if person.known else (False, "")
        return self.render_template("checkin/contacts.html", {
            "person": person, "listed": listed, "email": email, "message": message,
        })

    def _contact_entries(self, person):
        entries = sorted(api.contact_list(self.programme_id), key=lambda c: (
            self._region_position(c.region), rules.swedish_sort_key(c.region), rules.swedish_sort_key(c.municipality),
            rules.swedish_sort_key(c.name)))
        return [{
            "name": c.name, "municipality": c.municipality, "region": c.region,
            "role": self._role_label(c.role, ""),
            # Staff see who opted in, not more: the address is for the other participants.
            "email": "" if person.is_staff else c.email,
        } for c in entries]

    def _region_position(self, region):
        regions = list(self.regions)
        return regions.index(region) if region in regions else len(regions)

    @json_handler
    def contacts(self, payload, suffix=""):
        """The contact list: for the programme's participants and for staff."""
        person = self.person
        if not person.is_staff:
            person = self.require_learner()
            if not api.is_participant(person.key, self.programme_id):
                raise Refusal(403, self.gettext(_(
                    "The contact list is for the programme's participants. Fill in your profile first.")))
        entries = self._contact_entries(person)
        return {
            "contacts": entries,
            "html": self.render_template("checkin/contact_list.html", {"entries": entries, "person": person}),
        }

    @json_handler
    def contact_choice(self, payload, suffix=""):
        """She joins (``listed``: true, optionally with ``email``) or leaves the contact list."""
        person = self.require_learner()
        listed = payload.boolean("listed")
        gettext = self.gettext
        if not listed:
            api.leave_contact_list(person.key, self.programme_id)
            message = gettext(_("You are no longer in the contact list."))
            return {"listed": False, "message": message, "html": self._contacts_html(person, message)}
        email = payload.text("email", MAX_EMAIL_CHARS, required=False)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise Refusal(400, gettext(_(
                    "\u201c{email}\u201d is not an e-mail address. Correct it, or leave the field empty to share "
                    "no address.")).format(email=email[:80])) from None
        profile = api.get_profile(person.key, self.programme_id)
        if profile is None or not profile.complete:
            raise Refusal(409, gettext(_(
                "Fill in your municipality, role and region before you join the contact list.")))
        if person.name and person.name != profile.name:
            api.rename_participant(person.key, self.programme_id, person.name)  # her row was just read
        api.join_contact_list(person.key, self.programme_id, email)
        message = gettext(_("You are in the contact list. Other participants can now find you."))
        return {"listed": True, "message": message, "html": self._contacts_html(person, message)}
