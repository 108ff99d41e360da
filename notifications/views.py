"""The two pages every audience's e-mails link to, written once: confirming a sign-up
(double opt-in) and unsubscribing with one click (RFC 8058). An audience's app subclasses
them with its templates and what they show of a recipient.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .audiences import Audience, audience_for
from .models import Recipient
from .recipients import (
    InvalidLink,
    recipient_confirm,
    recipient_for_confirmation,
    recipient_unsubscribe,
)

logger = logging.getLogger(__name__)


class RecipientPageView(View):
    http_method_names = ["get", "post"]
    audience_name: str
    # The name the templates know the recipient by ("subscription", "saved_search").
    context_object_name: str
    template_name: str
    # The page shown after the POST.
    done_template_name: str
    invalid_link_template_name: str

    @property
    def audience(self) -> Audience:
        return audience_for(self.audience_name)

    def get_context_data(self, recipient: Recipient, **kwargs) -> dict:
        return {self.context_object_name: recipient, **kwargs}

    def invalid_link(self, request: HttpRequest, reason: str) -> HttpResponse:
        logger.info("Invalid %s link: %s", self.audience_name, reason)
        return render(request, self.invalid_link_template_name, status=404)


class RecipientConfirmView(RecipientPageView):
    """Confirming takes a button press (POST): mail scanners that open links must not
    confirm a sign-up nobody asked for."""

    def get(self, request: HttpRequest, signature: str) -> HttpResponse:
        try:
            recipient = recipient_for_confirmation(audience=self.audience, signature=signature)
        except InvalidLink as error:
            return self.invalid_link(request, str(error))
        context = self.get_context_data(recipient, is_confirmed_now=False)
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, signature: str) -> HttpResponse:
        try:
            recipient = recipient_confirm(audience=self.audience, signature=signature)
        except InvalidLink as error:
            return self.invalid_link(request, str(error))
        context = self.get_context_data(recipient, is_confirmed_now=True)
        return render(request, self.done_template_name, context)


# RFC 8058: mail programs unsubscribe with one POST, without cookies or a CSRF token. The
# unguessable token in the address is the authorisation; GET only shows the button, since
# mail scanners open links.
@method_decorator(csrf_exempt, name="dispatch")
class RecipientUnsubscribeView(RecipientPageView):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        recipient = self.audience.recipient_model.objects.filter(token=token).first()
        if recipient is None:
            return self.invalid_link(request, "unknown token")
        return render(request, self.template_name, self.get_context_data(recipient))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        recipient = self.audience.recipient_model.objects.filter(token=token).first()
        # Read before the recipient is gone.
        context = self.get_done_context_data(recipient) if recipient else {}
        if not recipient_unsubscribe(audience=self.audience, token=token):
            return self.invalid_link(request, "unknown token")
        return render(request, self.done_template_name, context)

    def get_done_context_data(self, recipient: Recipient) -> dict:
        """What the page after unsubscribing shows besides its text."""
        return {}
