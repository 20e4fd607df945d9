from django.urls import path

from org.views import home  # placeholder until the Excel ledger lands (issue 9)

app_name = "ledger"
urlpatterns = [
    path("", home, name="import"),
]
