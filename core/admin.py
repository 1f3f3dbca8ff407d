from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import AcademicYear, AuditEvent, Organisation, User, UserRole


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Staff configure their own organisation only; a superuser sees everything."""

    organisation_lookup = "organisation"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.organisation_lookup: request.user.organisation_id})


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, BaseUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "organisation", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "role_grants__role", "organisation"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [UserRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "phone", "organisation")}),
        (_("Accès"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "uai", "siret", "city"]
    search_fields = ["name", "uai", "siret"]
    raw_id_fields = ["disability_referent", "mobility_referent"]


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["label", "start_date", "end_date"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_repr"]
    list_filter = ["action"]
    search_fields = ["target_repr", "action", "actor__email"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
