"""amtshilfe as OpenID provider: one user account for the linked portals (Nutzerkonto).

Built on django-oauth-toolkit (DOT), not on authlib's server: DOT brings the Django models
(clients, codes, tokens, ID tokens) with migrations and an admin, the OIDC endpoints
(discovery, JWKS, userinfo, RP-initiated logout), PKCE and the RFC 9700 hardening, where
authlib's server part would leave all the storage, views and their wiring to us. authlib stays
what the tests use as the *client* library, so the provider is checked by code that is not ours.

What amtshilfe adds (see the modules):

- ``views``: the authorization endpoint with step-up (the portal's ``acr_values`` or essential
  ``acr`` claim against the session's trust level) and amtshilfe's consent page; the consent
  log at ``/konto/portale/``;
- ``validators``: ``acr``/``amr``/``auth_time`` carried from the session to the ID token,
  consents recorded with the code, the claims from ``claims.claims_for``;
- ``models``: ``PortalConsent`` (the log of consents), ``GrantAuthentication`` (the login
  behind a pending code);
- ``hashers``: a fast salted HMAC for client secrets instead of argon2id;
- ``keys``: the signing key from the environment, or generated once (embedded tier);
- ``admin``: portals registered by operators, consents read-only; ``checks``: the deploy check.
"""
