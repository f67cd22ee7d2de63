"""``manage.py lms kkn_issuer_key``: make the Open Badges issuer's signing key, or rotate it.

The key is written as a file in ``KKN_OPEN_BADGES["KEY_DIR"]`` (mode 0600), never into the
database, so a database dump holds no private key. ``--rotate`` adds a new key that signs from
now on; the old ones stay in the folder and in the ``did:web`` document, so credentials signed
with them remain verifiable.
"""
from django.core.management.base import BaseCommand, CommandError

from kkn_xblocks.records import credentials


class Command(BaseCommand):
    help = "Create the Open Badges issuer's Ed25519 signing key (or, with --rotate, a new one)."

    def add_arguments(self, parser):
        parser.add_argument("--rotate", action="store_true",
                            help="add a new signing key even though one exists (old keys stay for verification)")

    def handle(self, *args, **options):
        try:
            config = credentials.issuer_config()
        except credentials.NotConfigured as error:
            raise CommandError(f"{error}. See the operator guide, section on Open Badges.") from None
        existing = credentials.signing_keys(config)
        if existing and not options["rotate"]:
            kid, jwk = existing[-1]
            self.stdout.write(f"A signing key exists: {kid} ({credentials.issuer_did(config, jwk)}). "
                              "Use --rotate to add a new one.")
            return
        try:
            kid = credentials.create_key(config)
        except FileExistsError:
            raise CommandError("A key with this id exists; run the command again.") from None
        except OSError as error:
            raise CommandError(f"Could not write the key in {config.key_dir}: {error.strerror}") from None
        jwk = credentials.signing_keys(config)[-1][1]
        self.stdout.write(f"New signing key {kid} in {config.key_dir}; issuer {credentials.issuer_did(config, jwk)}")
