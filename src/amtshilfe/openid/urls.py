"""Addresses of the OpenID provider (issuer ``https://host/oidc``) and of the consent log.

Only the protocol endpoints of django-oauth-toolkit are mounted — not its application
management views: portals are registered by the operators in the operators' admin, never by
self-service. DOT's views find each other by the names below in the ``oauth2_provider``
namespace, so those names stay as DOT chose them.
"""

from django.urls import include, path, re_path
from oauth2_provider import views as dot_views

from amtshilfe.openid import views

provider_patterns = [
    path("authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("token/", dot_views.TokenView.as_view(), name="token"),
    path("revoke_token/", dot_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("userinfo/", dot_views.UserInfoView.as_view(), name="user-info"),
    path("logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
    re_path(
        r"^\.well-known/openid-configuration$",
        views.DiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", dot_views.JwksInfoView.as_view(), name="jwks-info"),
    # RFC 8414 metadata: also what the RFC 9207 ``iss`` of authorization responses is
    # derived from, so that it equals the issuer (https://host/oidc).
    path(
        ".well-known/oauth-authorization-server",
        dot_views.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
]

consent_patterns = [
    path("", views.consents, name="consents"),
    path("<int:consent_id>/widerrufen/", views.withdraw_consent, name="consent_withdraw"),
]

urlpatterns = [
    path("oidc/", include((provider_patterns, "oauth2_provider"))),
    path("konto/portale/", include((consent_patterns, "openid"))),
]
