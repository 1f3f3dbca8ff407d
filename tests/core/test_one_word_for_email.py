"""One word for e-mail on the whole platform: « adresse électronique » for the address, « message
électronique » for the message; never "e-mail", "email", "mail" or "courriel" in French text."""

import gettext
import re
from pathlib import Path

import allauth
from django.conf import settings
from django.urls import reverse
from django.utils import translation

# A French word for e-mail other than the chosen one; placeholders (%(email)s, {email}) and mailto: are
# not words a person reads.
OTHER_WORD = re.compile(r"\be-?mails?\b|\bcourriels?\b|\bmails?\b", re.IGNORECASE)
PLACEHOLDERS = re.compile(r"%\(\w+\)s|\{\w+\}|\{\{[^}]*\}\}|mailto:|\w+_email\b|\.email\b")


def names_another_word(text: str) -> bool:
    return bool(OTHER_WORD.search(PLACEHOLDERS.sub("", text)))


def test_the_rule_sees_each_other_word_and_not_a_placeholder():
    assert names_another_word("Adresse e-mail")
    assert names_another_word("un courriel")
    assert names_another_word("Email")
    assert not names_another_word("Invitation envoyée à %(email)s.")
    assert not names_another_word('<a href="mailto:%(email)s">%(email)s</a> {email}')
    assert not names_another_word("Adresse électronique du contact RH")


def project_msgids() -> list[str]:
    """Every French source string of the platform (templates, labels, verbose names, messages, mails),
    as extracted into the English catalogue."""
    po = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    with po.with_suffix(".mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    # The English msgids of allauth's templates that the platform overrides (templates/account/) are
    # allauth's own strings, translated by its catalogue and locale_allauth: checked below.
    allauth_mo = Path(allauth.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    with allauth_mo.open("rb") as mo:
        theirs = set(gettext.GNUTranslations(mo)._catalog)
    return [
        key if isinstance(key, str) else key[0]
        for key in catalogue._catalog
        if key and key not in theirs and (isinstance(key, str) or (key[0], 0) not in theirs)
    ]


def test_no_french_string_of_the_platform_says_e_mail_or_courriel():
    msgids = project_msgids()

    assert "Adresse électronique" in msgids
    assert [m for m in msgids if names_another_word(m)] == []


def allauth_french() -> dict[str, str]:
    path = Path(allauth.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    return {k: v for k, v in catalogue._catalog.items() if isinstance(k, str) and k}


def test_allauth_says_adresse_electronique_too():
    """allauth's own French says "e-mail"; locale_allauth/ rewords each of its strings we show."""
    originals = {k: v for k, v in allauth_french().items() if names_another_word(v)}
    assert len(originals) > 40  # the control: allauth's catalogue does say e-mail

    with translation.override("fr"):
        reworded = {msgid: translation.gettext(msgid) for msgid in originals}

    assert reworded["Email"] == "Adresse électronique"
    left = {msgid: text for msgid, text in reworded.items() if names_another_word(text)}
    # Only the OpenID provider's help texts name the "email" scope, a technical name.
    assert all("openid(ENTER)" in msgid for msgid in left), left


def test_the_login_page_says_adresse_electronique(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()

    assert response.status_code == 200
    assert "Adresse électronique" in page
    assert not names_another_word(re.sub(r"<[^>]+>", " ", page))
