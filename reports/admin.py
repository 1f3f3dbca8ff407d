from django.contrib import admin

from reports.models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["title", "requested_by", "status", "requested_at", "expires_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [field.name for field in Export._meta.fields]

    def has_add_permission(self, request):
        return False
