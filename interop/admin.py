from django.contrib import admin

from interop.models import ImportReport


@admin.register(ImportReport)
class ImportReportAdmin(admin.ModelAdmin):
    """Read only: a report is what an import did, never edited."""

    list_display = [
        "file_name",
        "organisation",
        "uploaded_at",
        "uploaded_by",
        "status",
        "rows_total",
        "rows_rejected",
    ]
    list_filter = ["status", "organisation"]
    list_select_related = ["organisation", "uploaded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
