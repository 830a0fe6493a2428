from django.contrib import admin
from django.urls import include, path

from innolink.api.urls import api
from innolink.core.views import favicon, healthz

urlpatterns = [
    path("", include("innolink.dashboard.urls")),
    path("accounts/", include("innolink.accounts.urls")),
    path("enterprises/", include("innolink.enterprises.urls")),
    path("policies/", include("innolink.policies.urls")),
    path("challenges/", include("innolink.challenges.urls")),
    path("events/", include("innolink.events.urls")),
    path("matching/", include("innolink.matching.urls")),
    path("rankings/", include("innolink.rankings.urls")),
    path("servicedesk/", include("innolink.servicedesk.urls")),
    path("projects/", include("innolink.projects.urls")),
    path("compute/", include("innolink.compute.urls")),
    path("weather/", include("innolink.weather.urls")),
    path("", include("innolink.core.urls")),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
# Uploaded files are never served from MEDIA_URL, in any setting: each is downloaded through
# its record's view, which checks access (innolink/core/files.py).
