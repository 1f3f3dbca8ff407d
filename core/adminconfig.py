from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    """Django's admin, with a site whose login view sends to the platform's one login (core.adminsite)."""

    default_site = "core.adminsite.PlatformAdminSite"
