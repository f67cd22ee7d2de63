"""Template context for the preview pages: the users one can switch between."""
from django.conf import settings


def local_users(_request):
    """The preview's users, for the "view as" switcher on every page."""
    return {"local_users": sorted(settings.KKN_LOCAL_USERS.items(), key=lambda item: (item[1]["staff"], item[0]))}
