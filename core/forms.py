from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from core.models import Role, User


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
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
            raise forms.ValidationError(_("Une personne utilise déjà cette adresse e-mail."))
        return email


class AcceptInvitationForm(SetPasswordForm):
    """Choose the password that the invitation asked for."""
