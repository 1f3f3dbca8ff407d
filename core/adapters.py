from allauth.account.adapter import DefaultAccountAdapter

from core.mail import header_text


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: staff invite people, and the invitation mail lets them set a password."""

    def is_open_for_signup(self, request):
        return False

    def format_email_subject(self, subject):
        """allauth's subjects too are kept on one line, whatever a stored value holds."""
        return header_text(super().format_email_subject(subject))
