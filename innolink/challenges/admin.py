"""Read-only admin views of the challenge board: every change goes through the services
(audited); the admin is for looking."""

from django.contrib import admin

from innolink.challenges import models
from innolink.core.admin import ReadOnlyAdmin


@admin.register(models.Challenge)
class ChallengeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("title", "domain", "state", "funding", "published_at", "is_demo")
    list_filter = ("state", "domain", "is_demo")
    search_fields = ("title", "keywords")


@admin.register(models.Proposal)
class ProposalAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("challenge", "researcher", "state", "budget", "created_at")
    list_filter = ("state",)


@admin.register(models.TechnologyOffer)
class TechnologyOfferAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("title", "domain", "trl", "institution")
    search_fields = ("title", "keywords")


@admin.register(models.ResearcherProfile)
class ResearcherProfileAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "institution", "email")
    search_fields = ("name", "email")


@admin.register(models.Programme)
class ProgrammeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "edition", "organizer", "is_demo")


@admin.register(models.Issuer)
class IssuerAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "region")
    search_fields = ("name",)
