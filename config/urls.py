from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = settings.PLATFORM_NAME
admin.site.site_title = settings.PLATFORM_NAME
admin.site.index_title = "Configuration"

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("core.urls")),
    path("", include("apprentices.urls")),
    path("employeurs/", include("employers.urls")),
    path("tuteurs/", include("tutors.urls")),
    path("livret/", include("livret.urls")),
    path("qualite/", include("quality.urls")),
    path("enquetes/", include("surveys.urls")),
    path("emplois/", include("jobs.urls")),
    path("", include("reports.urls")),
    path("", include("privacy.urls")),
    path("import/", include("interop.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
