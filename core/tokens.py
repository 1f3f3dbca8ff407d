"""Invitation links: single use (the hash covers the password, which accepting sets) and expiring."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "core.tokens.InvitationTokenGenerator"

    @property
    def timeout_seconds(self) -> int:
        return settings.INVITATION_VALID_DAYS * 86400

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - ts) <= self.timeout_seconds

    def _now(self):
        return datetime.now()


invitation_token = InvitationTokenGenerator()
