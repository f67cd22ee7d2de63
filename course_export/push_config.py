"""Settings of ``kkn-course push``: where Studio and the LMS are, the OAuth2 client, limits.

Each setting comes from the first of: a command-line option, an environment variable, the config
file (YAML). The client secret is held in :class:`Secret`, whose ``str``/``repr`` never show it,
so it cannot leak through a message, a traceback, ``--json`` output or a log line by accident; only
:meth:`Secret.reveal` gives the value, and only the token request calls it.

Config file (``--config PATH``, else ``$KKN_PUSH_CONFIG``, else ``~/.config/kkn-course/push.yaml``
when it exists)::

    studio_url: https://studio.example.org
    lms_url: https://lms.example.org
    client_id: kkn-course-push
    client_secret_file: /etc/kkn/push-secret     # or client_secret: ... (then chmod 600 the file)
    max_upload_mb: 250
"""
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .i18n import _

DEFAULT_CONFIG_PATH = Path("~/.config/kkn-course/push.yaml")
# Tutor's Caddyfile caps request bodies to Studio at 250 MB (``request_body { max_size 250MB }`` in
# overhangio/tutor tutor/templates/apps/caddy/Caddyfile); a bigger upload dies at the proxy.
DEFAULT_MAX_UPLOAD_MB = 250


class ConfigError(Exception):
    """A setting is missing or wrong; the message names where it came from and how to fix it."""


class Secret:
    """A string that refuses to be shown."""

    __slots__ = ("_value",)

    def __init__(self, value):
        self._value = value

    def reveal(self):
        return self._value

    def __bool__(self):
        return bool(self._value)

    def __repr__(self):
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self):
        return hash(self._value)

    def __reduce__(self):
        # Pickling would be one more way out of the process with the value in clear.
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class PushSettings:
    """Everything the push needs besides the archive and the course key."""

    studio_url: str
    lms_url: str
    client_id: str
    client_secret: Secret
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    connect_timeout: float = 10.0
    # Per read from the server; a slow Studio answer longer than this counts as a timeout.
    read_timeout: float = 60.0
    # Studio copies the whole archive to its storage before it answers the upload.
    upload_timeout: float = 600.0
    poll_interval: float = 2.0
    poll_interval_max: float = 10.0
    poll_timeout: float = 1800.0
    # How long to wait for the LMS to show the new course structure (it refreshes its cache in a
    # background task some 30 s after the import publishes the course).
    verify_wait: float = 300.0
    retries: int = 4
    backoff: float = 1.0
    backoff_max: float = 30.0
    sources: dict = field(default_factory=dict, compare=False)

    def source_of(self, name):
        """Where a setting came from, for messages ("--studio-url", "KKN_STUDIO_URL", a file key)."""
        return self.sources.get(name, name)


# setting name -> (option, environment variable, config key)
_PLACES = {
    "studio_url": ("--studio-url", "KKN_STUDIO_URL", "studio_url"),
    "lms_url": ("--lms-url", "KKN_LMS_URL", "lms_url"),
    "client_id": ("--client-id", "KKN_CLIENT_ID", "client_id"),
    "client_secret": ("--client-secret", "KKN_CLIENT_SECRET", "client_secret"),
    "client_secret_file": ("--client-secret-file", "KKN_CLIENT_SECRET_FILE", "client_secret_file"),
    "max_upload_mb": ("--max-upload-mb", "KKN_MAX_UPLOAD_MB", "max_upload_mb"),
    "timeout": ("--timeout", "KKN_PUSH_TIMEOUT", "timeout"),
    "poll_timeout": ("--poll-timeout", "KKN_POLL_TIMEOUT", "poll_timeout"),
    "verify_wait": ("--verify-wait", "KKN_VERIFY_WAIT", "verify_wait"),
}
_CONFIG_KEYS = {config_key for _option, _env, config_key in _PLACES.values()}


def add_arguments(parser):
    """The setting options of ``push`` (shared so the help and the loader cannot drift)."""
    group = parser.add_argument_group(_("connection (option, else environment variable, else config file)"))
    group.add_argument("--config", metavar="PATH",
                       help=_("YAML config file (default: $KKN_PUSH_CONFIG, else ~/.config/kkn-course/push.yaml)"))
    group.add_argument("--studio-url", metavar="URL", help=_("Studio (CMS) base URL [KKN_STUDIO_URL]"))
    group.add_argument("--lms-url", metavar="URL", help=_("LMS base URL, where the OAuth2 token comes from [KKN_LMS_URL]"))
    group.add_argument("--client-id", metavar="ID", help=_("OAuth2 client id [KKN_CLIENT_ID]"))
    group.add_argument("--client-secret", metavar="SECRET",
                       help=_("OAuth2 client secret [KKN_CLIENT_SECRET]; prefer the variable or a file, "
                              "options are visible to other users of the machine"))
    group.add_argument("--client-secret-file", metavar="PATH",
                       help=_("file holding the OAuth2 client secret [KKN_CLIENT_SECRET_FILE]"))
    group.add_argument("--max-upload-mb", metavar="MB", help=_("largest archive to send (default 250, as Tutor's proxy) [KKN_MAX_UPLOAD_MB]"))
    group.add_argument("--timeout", metavar="SECONDS", help=_("how long to wait for each answer from the server (default 60) [KKN_PUSH_TIMEOUT]"))
    group.add_argument("--poll-timeout", metavar="SECONDS",
                       help=_("how long to wait for Studio to finish the import (default 1800) [KKN_POLL_TIMEOUT]"))
    group.add_argument("--verify-wait", metavar="SECONDS",
                       help=_("how long to wait for the LMS to show the imported structure (default 300) [KKN_VERIFY_WAIT]"))


def _config_path(option_value, environ):
    if option_value:
        return Path(option_value).expanduser(), True
    if environ.get("KKN_PUSH_CONFIG"):
        return Path(environ["KKN_PUSH_CONFIG"]).expanduser(), True
    return DEFAULT_CONFIG_PATH.expanduser(), False


def _read_config(path, required):
    if not path.exists():
        if required:
            raise ConfigError(_("Config file {path} does not exist. Create it or point --config at the right file.")
                              .format(path=path))
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(_("Cannot read config file {path}: {error}").format(path=path, error=error)) from None
    except yaml.YAMLError as error:
        raise ConfigError(_("Config file {path} is not valid YAML: {error}").format(path=path, error=error)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(_("Config file {path} must hold a mapping of keys (studio_url: ..., lms_url: ...).")
                          .format(path=path))
    unknown = sorted(str(key) for key in data if key not in _CONFIG_KEYS)
    if unknown:
        raise ConfigError(_("Config file {path} has unknown keys: {keys}. Known keys: {known}.")
                          .format(path=path, keys=", ".join(unknown), known=", ".join(sorted(_CONFIG_KEYS))))
    return data


def _warn_if_readable_by_others(path, warn):
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if os.name == "posix" and mode & (stat.S_IRGRP | stat.S_IROTH):
        warn(_("{path} holds the client secret and other users can read it; run: chmod 600 {path}").format(path=path))


def _pick(name, options, environ, config, config_path):
    """``(value, where)`` of a setting from the first place that has it, or ``(None, None)``."""
    option, env, key = _PLACES[name]
    value = getattr(options, option[2:].replace("-", "_"), None)
    if value not in (None, ""):
        return value, option
    if environ.get(env):
        return environ[env], env
    if config.get(key) not in (None, ""):
        return config[key], f"{config_path}: {key}"
    return None, None


def _url(value, where):
    text = str(value).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(_("{where}: '{value}' is not a base URL like https://studio.example.org.")
                          .format(where=where, value=value))
    return text


def _positive_number(value, where, integer=False):
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number <= 0:
        raise ConfigError(_("{where}: '{value}' must be a positive number.").format(where=where, value=value))
    return number


def load_settings(options, environ=None, warn=None):
    """Build :class:`PushSettings` from parsed options, the environment and the config file."""
    environ = os.environ if environ is None else environ
    warn = warn or (lambda message: None)
    config_path, required = _config_path(getattr(options, "config", None), environ)
    config = _read_config(config_path, required)
    sources = {}
    values = {}
    for name in _PLACES:
        values[name], sources[name] = _pick(name, options, environ, config, config_path)

    missing = [name for name in ("studio_url", "lms_url", "client_id") if values[name] is None]
    if values["client_secret"] is None and values["client_secret_file"] is None:
        missing.append("client_secret")
    if missing:
        lines = []
        for name in missing:
            option, env, key = _PLACES[name]
            lines.append(_("  {name}: give {option}, set {env}, or put '{key}:' in {path}")
                         .format(name=name, option=option, env=env, key=key, path=config_path))
            if name == "client_secret":  # the secret may also come from a file, which is safer
                option, env, key = _PLACES["client_secret_file"]
                lines.append(_("  {name}: or give {option}, set {env}, or put '{key}:' in {path}")
                             .format(name=name, option=option, env=env, key=key, path=config_path))
        raise ConfigError(_("Settings missing for the push:") + "\n" + "\n".join(lines))

    if values["client_secret"] is not None:
        secret = str(values["client_secret"]).strip()
        if sources["client_secret"].startswith(str(config_path)):
            _warn_if_readable_by_others(config_path, warn)
    else:
        secret_path = Path(str(values["client_secret_file"])).expanduser()
        try:
            secret = secret_path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(_("{where}: cannot read the client secret from {path} ({error}).")
                              .format(where=sources["client_secret_file"], path=secret_path,
                                      error=error.strerror or error)) from None
        _warn_if_readable_by_others(secret_path, warn)
        sources["client_secret"] = sources["client_secret_file"]
    if not secret:
        raise ConfigError(_("{where}: the client secret is empty.").format(where=sources["client_secret"]))

    kwargs = {
        "studio_url": _url(values["studio_url"], sources["studio_url"]),
        "lms_url": _url(values["lms_url"], sources["lms_url"]),
        "client_id": str(values["client_id"]).strip(),
        "client_secret": Secret(secret),
        "sources": sources,
    }
    if values["max_upload_mb"] is not None:
        kwargs["max_upload_bytes"] = int(
            _positive_number(values["max_upload_mb"], sources["max_upload_mb"]) * 1024 * 1024)
    if values["timeout"] is not None:
        kwargs["read_timeout"] = _positive_number(values["timeout"], sources["timeout"])
    if values["poll_timeout"] is not None:
        kwargs["poll_timeout"] = _positive_number(values["poll_timeout"], sources["poll_timeout"])
    if values["verify_wait"] is not None:
        kwargs["verify_wait"] = _positive_number(values["verify_wait"], sources["verify_wait"])
    return PushSettings(**kwargs)

