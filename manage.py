#!/usr/bin/env python
import os
import sys

# Commands that only read the code (they serve no request and sign nothing) run without the
# production secrets, so `manage.py makemigrations --check` works in any shell.
CODE_ONLY_COMMANDS = {"makemigrations", "makemessages", "compilemessages"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flexportal.settings")
    if len(sys.argv) > 1 and sys.argv[1] in CODE_ONLY_COMMANDS:
        os.environ.setdefault("FLEXPORTAL_CODE_ONLY", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
