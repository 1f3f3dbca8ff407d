from django.contrib import admin

from core.admin import OrganisationScopedAdmin
from employers.models import Employer
from tutors.models import CompanyTutor


class CompanyTutorInline(admin.StackedInline):
    model = CompanyTutor
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Employer)
class EmployerAdmin(OrganisationScopedAdmin):
    list_display = ["legal_name", "siret", "city"]
    search_fields = ["legal_name", "siret", "city"]
    inlines = [CompanyTutorInline]
