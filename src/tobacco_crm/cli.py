"""The `tobacco-crm` console command: Django's management commands, development settings by
default (set DJANGO_SETTINGS_MODULE to choose others)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tobacco_crm.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tobacco-crm", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
