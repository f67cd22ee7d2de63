"""What the blocks' rules raise: plain Python, so the rules (``*_rules.py``) and the course builder that
runs them import neither Django nor XBlock."""


class AuthorError(ValueError):
    """A field value an author typed that cannot be used; ``str()`` is the translated message."""
