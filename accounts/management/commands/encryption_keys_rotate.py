"""Re-encrypt every encrypted value (BSNs, authenticator secrets) under the newest key.

Rotation: put a new Fernet key in front of FIELD_ENCRYPTION_KEYS (keep the old one behind it),
restart, run this command, then drop the old key. Moving from the development default (a key
derived from SECRET_KEY) to a key of its own: set FIELD_ENCRYPTION_KEYS and run this command
with ``--from-secret-key`` while SECRET_KEY is still the old one.
"""

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from flexportal.fields import encrypted_fields, reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the newest key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from-secret-key",
            action="store_true",
            help="Also read values encrypted with the key derived from SECRET_KEY.",
        )

    def handle(self, *args, from_secret_key: bool = False, **options):
        if not settings.FIELD_ENCRYPTION_KEYS:
            raise CommandError("Set FIELD_ENCRYPTION_KEYS first: the newest key comes first.")
        done = unreadable = 0
        for model, field in encrypted_fields():
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(field.column)
            pk = connection.ops.quote_name(model._meta.pk.column)
            # Raw SQL: the stored tokens themselves, across every agency (no scope applies).
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} "  # noqa: S608 - names from the models
                    f"WHERE {column} IS NOT NULL AND {column} <> '' FOR UPDATE"
                )
                for row_id, token in cursor.fetchall():
                    try:
                        new = reencrypt(token, with_secret_key=from_secret_key)
                    except InvalidToken:
                        unreadable += 1
                        continue
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [new, row_id],
                    )
                    done += 1
        self.stdout.write(f"{done} values re-encrypted under the newest key.")
        if unreadable:
            self.stderr.write(
                f"{unreadable} values could not be read with any configured key: they stay as "
                "they are. Add the key they were encrypted with and run this again."
            )
