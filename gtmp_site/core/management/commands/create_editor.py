"""Create (or promote) a staff account in the Editors group."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gtmp_site.core.editors import ensure_editors_group

PASSWORD_ENV = "DJANGO_EDITOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create an editor account (staff, in the Editors group). Asks for the password, "
        f"or reads it from ${PASSWORD_ENV}."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first() or User(
            username=username, email=email
        )
        password = os.environ.get(PASSWORD_ENV) or self._ask_password()
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user.set_password(password)
        user.is_staff = True
        user.save()
        user.groups.add(ensure_editors_group())
        self.stdout.write(self.style.SUCCESS(f"Editor '{username}' can now log in at /admin/."))

    def _ask_password(self):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
