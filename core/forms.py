from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from core.models import Role, User
from core.validators import validate_multiline_text, validate_phone, validate_single_line


class SingleLineFieldsMixin:
    """Every text field refuses control characters: a single-line one (a ``CharField`` without a
    ``Textarea``) refuses line breaks and tabs too, as a CR/LF in a name would reach a mail header;
    a multi-line one keeps its line breaks. Passwords are left as they are typed.

    Every form of the platform inherits it through :class:`Form` or :class:`ModelForm`
    (``tests/core/test_header_injection.py`` checks that none is left out)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
                continue
            multiline = isinstance(field.widget, forms.Textarea)
            field.validators.append(validate_multiline_text if multiline else validate_single_line)


class Form(SingleLineFieldsMixin, forms.Form):
    pass


class ModelForm(SingleLineFieldsMixin, forms.ModelForm):
    pass


class InvitationForm(Form):
    email = forms.EmailField(label=_("Adresse électronique"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    roles = forms.MultipleChoiceField(
        label=_("Rôles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Une personne peut cumuler plusieurs rôles (ex. tuteur pédagogique et responsable)."),
    )

    def __init__(self, *args, inviter, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter
        if Role.ADMIN not in inviter.roles and not inviter.is_superuser:
            self.fields["roles"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Une personne utilise déjà cette adresse électronique."))
        return email


class ProfileForm(ModelForm):
    """The person's own name and phone (« Mon compte »). An apprentice's name is the one of their
    contract, which the CFA declares to the State: it is shown, not offered (``name_locked``)."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone"]
        labels = {"first_name": _("Prénom"), "last_name": _("Nom"), "phone": _("Téléphone")}
        help_texts = {"phone": _("Facultatif. Par exemple 06 12 34 56 78.")}

    def __init__(self, *args, name_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(validate_phone)
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        if name_locked:
            del self.fields["first_name"], self.fields["last_name"]
        else:
            self.fields["first_name"].required = True
            self.fields["last_name"].required = True
            self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
            self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def clean(self):
        cleaned = super().clean()
        for name in ("first_name", "last_name", "phone"):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = " ".join(cleaned[name].split())
        return cleaned


class AcceptInvitationForm(SingleLineFieldsMixin, SetPasswordForm):
    """Choose the password that the invitation asked for."""
