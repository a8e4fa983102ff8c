from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

# No namespace: `login` and `logout` are the names settings.LOGIN_URL and the templates use.
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/recovery-codes/", views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
]
