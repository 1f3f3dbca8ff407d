from django.contrib import admin

from privacy.models import Erasure


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    """The record of the erasures, read only: they are made by the service, never by hand."""

    list_display = ["apprentice", "last_contract_end", "erased_at", "retention_years"]
    readonly_fields = [field.name for field in Erasure._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
