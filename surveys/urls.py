from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/nouveau/", views.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:pk>/copier/", views.questionnaire_copy, name="questionnaire_copy"),
    path("questions/<int:pk>/supprimer/", views.question_delete, name="question_delete"),
    path("campagnes/nouvelle/", views.campaign_create, name="campaign_create"),
    path("campagnes/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campagnes/<int:pk>/ouvrir/", views.campaign_open, name="campaign_open"),
    path("campagnes/<int:pk>/clore/", views.campaign_close, name="campaign_close"),
    path("campagnes/<int:pk>/reponses-libres.csv", views.campaign_texts_csv, name="campaign_texts_csv"),
    path("campagnes/<int:pk>/resultats.pdf", views.campaign_pdf, name="campaign_pdf"),
    path("formations/<int:pk>/", views.diploma_results, name="diploma_results"),
    path("repondre/<int:pk>/<str:token>/", views.answer, name="answer"),
]
