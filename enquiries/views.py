"""The enquiry form of a report and its confirmation. Never cached: the form carries
the reader's CSRF token. Each address may send settings.ENQUIRY_LIMIT enquiries
an hour; a bot that fills the honeypot is answered as if it had succeeded."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from enquiries.forms import EnquiryForm
from enquiries.models import Enquiry
from gtmp_site.core.http import client_address
from gtmp_site.views import PageMetaMixin
from market.models import Report

log = logging.getLogger(__name__)
WINDOW_SECONDS = 3600


def _report(slug):
    return get_object_or_404(Report.objects.published(), slug=slug)


def allowed(request):
    """Count an enquiry from the client's address; False past the hour's limit."""
    key = f"enquiries:{client_address(request)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, count := 1, timeout=WINDOW_SECONDS)
    return count <= settings.ENQUIRY_LIMIT


def notify(enquiry):
    """E-mail the editors (settings.ENQUIRIES_TO); a reply goes to the reader. The
    enquiry is saved first: if the mail cannot be sent, it waits in the inbox."""
    body = render_to_string("enquiries/email.txt", {"enquiry": enquiry})
    subject = f"{enquiry.get_kind_display()}: {enquiry.report.title if enquiry.report else ''}"
    message = EmailMessage(subject, body, to=settings.ENQUIRIES_TO, reply_to=[enquiry.email])
    try:
        message.send()
    except Exception:  # an SMTP outage must not lose the enquiry or fail the reader
        log.exception("The e-mail about enquiry %s could not be sent.", enquiry.pk)


@method_decorator(never_cache, name="dispatch")
class EnquiryView(PageMetaMixin, FormView):
    form_class = EnquiryForm
    template_name = "enquiries/form.html"

    def dispatch(self, request, *args, **kwargs):
        self.report = _report(kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Ask the editors · {self.report.title}"

    def get_initial(self):
        kind = self.request.GET.get("kind")
        return {"kind": kind if kind in Enquiry.Kind.values else Enquiry.Kind.QUESTION}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            report=self.report, retention_days=settings.ENQUIRY_RETENTION_DAYS, **kwargs
        )

    def form_valid(self, form):
        if not allowed(self.request):
            form.add_error(None, "You have sent the most enquiries we take from one address "
                                 "in an hour. Please try again later, or write to us.")  # fmt: skip
            return self.render_to_response(self.get_context_data(form=form), status=429)
        if form.is_bot:
            log.info("An enquiry with the honeypot filled in was dropped.")
        else:
            enquiry = form.save(commit=False)
            enquiry.report = self.report
            latest = self.report.editions.public().newest()
            enquiry.edition = latest.label if latest else ""
            enquiry.save()
            notify(enquiry)
        return redirect(reverse("enquiries:sent", args=[self.report.slug]), permanent=False)


@method_decorator(never_cache, name="dispatch")
class SentView(PageMetaMixin, TemplateView):
    template_name = "enquiries/sent.html"
    page_title = "Thank you: your enquiry was sent"

    def get_context_data(self, **kwargs):
        return super().get_context_data(report=_report(self.kwargs["slug"]), **kwargs)
