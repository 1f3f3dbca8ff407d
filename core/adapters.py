from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: staff invite people, and the invitation mail lets them set a password."""

    def is_open_for_signup(self, request):
        return False
