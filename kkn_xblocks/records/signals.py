"""The LMS's account retirement reaches the programme record here.

openedx-platform sends two signals from its retirement pipeline, both declared in
``openedx/core/djangoapps/user_api/accounts/signals.py``:

* ``USER_RETIRE_LMS_MISC`` from ``LMSAccountRetirementView.post`` (``POST
  /api/user/v1/accounts/retire_misc/``): ``send(sender=<view class>, user=<User>)``;
* ``USER_RETIRE_LMS_CRITICAL`` from ``AccountRetirementView.post`` (``POST
  /api/user/v1/accounts/retire/``): ``send(sender=<view class>, user=<User>,
  retired_username=..., retired_email=...)`` (both views in
  ``openedx/core/djangoapps/user_api/accounts/views.py``).

We listen to both: operators may run either stage of the pipeline, and retiring twice changes
nothing. The learner key of an LMS user is her numeric user id (``kkn_xblocks.identity``).
Outside the LMS (Studio without the user_api app, the local preview, tests) the module does not
exist and nothing is connected.
"""
import importlib

from . import api

PLATFORM_SIGNALS = "openedx.core.djangoapps.user_api.accounts.signals"
SIGNAL_NAMES = ("USER_RETIRE_LMS_CRITICAL", "USER_RETIRE_LMS_MISC")


def on_user_retired(sender, user=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver for both retirement signals: ``user`` is the django User being retired."""
    if user is None or getattr(user, "id", None) is None:
        return
    api.retire_learner(str(user.id))


def platform_signals():
    """``{name: signal}`` of the platform's retirement signals; empty where they do not exist."""
    try:
        module = importlib.import_module(PLATFORM_SIGNALS)
    except ImportError:
        return {}
    return {name: getattr(module, name) for name in SIGNAL_NAMES if hasattr(module, name)}


def connect():
    """Connect the receiver to every retirement signal there is (idempotent: a fixed
    ``dispatch_uid`` per signal). Returns the names of the signals connected."""
    found = platform_signals()
    for name, signal in found.items():
        signal.connect(on_user_retired, dispatch_uid=f"kkn_records_{name}")
    return sorted(found)
