from django.contrib import admin

from apprentices.models import (
    AlternanceCalendar,
    AlternancePeriod,
    Apprentice,
    Cohort,
    Competence,
    CompetenceBlock,
    Contract,
    Diploma,
    DiplomaOption,
    LegalRepresentative,
)
from core.admin import OrganisationScopedAdmin


class DiplomaOptionInline(admin.TabularInline):
    model = DiplomaOption
    extra = 0


class CompetenceBlockInline(admin.TabularInline):
    model = CompetenceBlock
    extra = 0
    show_change_link = True


@admin.register(Diploma)
class DiplomaAdmin(OrganisationScopedAdmin):
    list_display = ["code", "title", "level", "rncp_code", "duration_years", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "title", "rncp_code", "cfd_code"]
    filter_horizontal = ["heads"]
    inlines = [DiplomaOptionInline, CompetenceBlockInline]


class CompetenceInline(admin.TabularInline):
    model = Competence
    extra = 0


@admin.register(CompetenceBlock)
class CompetenceBlockAdmin(OrganisationScopedAdmin):
    organisation_lookup = "diploma__organisation"
    list_display = ["code", "title", "diploma"]
    inlines = [CompetenceInline]


@admin.register(Cohort)
class CohortAdmin(OrganisationScopedAdmin):
    organisation_lookup = "diploma__organisation"
    list_display = ["label", "diploma", "entry_year", "start_date"]
    list_filter = ["diploma", "entry_year"]


class AlternancePeriodInline(admin.TabularInline):
    model = AlternancePeriod
    extra = 0


@admin.register(AlternanceCalendar)
class AlternanceCalendarAdmin(OrganisationScopedAdmin):
    organisation_lookup = "diploma__organisation"
    list_display = ["diploma", "academic_year", "year_of_study"]
    list_filter = ["academic_year", "diploma"]
    inlines = [AlternancePeriodInline]


class LegalRepresentativeInline(admin.TabularInline):
    model = LegalRepresentative
    extra = 0


@admin.register(Apprentice)
class ApprenticeAdmin(OrganisationScopedAdmin):
    list_display = ["last_name", "first_name", "birth_date", "ine", "cohort", "rqth"]
    list_filter = ["rqth", "cohort__diploma"]
    search_fields = ["last_name", "first_name", "ine", "email"]
    raw_id_fields = ["user", "disability_referent"]
    list_select_related = ["cohort__diploma"]
    inlines = [LegalRepresentativeInline]


@admin.register(Contract)
class ContractAdmin(OrganisationScopedAdmin):
    organisation_lookup = "diploma__organisation"
    list_display = ["apprentice", "employer", "diploma", "start_date", "planned_end_date", "status"]
    list_filter = ["status", "diploma"]
    search_fields = ["apprentice__last_name", "employer__legal_name", "employer__siret"]
    raw_id_fields = ["apprentice", "employer", "company_tutor", "school_tutor"]
    list_select_related = ["apprentice", "employer", "diploma"]
    date_hierarchy = "start_date"
