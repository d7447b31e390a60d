from django.conf import settings
from django.core.management.base import BaseCommand

from enquiries.models import Enquiry


class Command(BaseCommand):
    help = (
        "Delete the enquiries received more than ENQUIRY_RETENTION_DAYS days ago "
        "(personal data is kept no longer). Run it daily (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=settings.ENQUIRY_RETENTION_DAYS,
            help="Keep this many days instead (default: ENQUIRY_RETENTION_DAYS).",
        )  # fmt: skip

    def handle(self, *args, days, **options):
        if days < 0:
            self.stderr.write("--days cannot be negative.")
            raise SystemExit(2)
        deleted, _ = Enquiry.objects.expired(days).delete()
        self.stdout.write(f"Deleted {deleted} enquiries received more than {days} days ago.")
