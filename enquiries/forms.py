from django import forms

from enquiries.models import Enquiry


class EnquiryForm(forms.ModelForm):
    """What a reader sends. ``website`` is a honeypot: hidden from people, filled in
    by bots, whose enquiries are then dropped without a word."""

    website = forms.CharField(required=False, label="Leave this field empty")

    class Meta:
        model = Enquiry
        fields = ["kind", "name", "email", "organisation", "message", "consent"]
        labels = {"kind": "What would you like?", "name": "Your name",
                  "consent": "You may contact me about this enquiry"}  # fmt: skip
        help_texts = {
            "email": "We answer at this address.",
            "message": "At most 5,000 characters.",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 6}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["consent"].required = True
        self.fields["consent"].error_messages["required"] = (
            "Tick this box so that we may answer you."
        )
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")

    @property
    def is_bot(self):
        return bool(self.cleaned_data.get("website"))
