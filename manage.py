#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gtmp_site.settings")
    from django.core.management import execute_from_command_line

    from gtmp_site import setup_or_exit

    setup_or_exit()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
