"""The list of the company tutors (maîtres d'apprentissage) a person may see, and its export."""

from django.contrib.auth.decorators import login_required

from core.csvexport import export_response
from core.viewutils import filtered_page, render_list


@login_required
def tutor_list(request):
    return render_list(
        request, "tutors/tutor_list.html", "tutors/_tutor_results.html", filtered_page(request, "tutors")
    )


@login_required
def tutor_export(request):
    return export_response(request, "tutors")
