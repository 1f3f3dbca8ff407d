from django.contrib import admin

from core.admin import OrganisationScopedAdmin
from tutors.models import CompanyTutor, SchoolTutor


@admin.register(CompanyTutor)
class CompanyTutorAdmin(OrganisationScopedAdmin):
    organisation_lookup = "employer__organisation"
    list_display = ["last_name", "first_name", "employer", "email", "training_date"]
    search_fields = ["last_name", "first_name", "email", "employer__legal_name"]
    list_select_related = ["employer"]
    raw_id_fields = ["user", "employer"]


@admin.register(SchoolTutor)
class SchoolTutorAdmin(OrganisationScopedAdmin):
    list_display = ["user", "job_title", "department"]
    search_fields = ["user__last_name", "user__email"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
