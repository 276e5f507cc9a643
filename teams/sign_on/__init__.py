"""Signing in through the organisation: OpenID Connect providers (django-allauth's
``openid_connect`` provider, social sign-in only), LDAP / Active Directory
(django-auth-ldap), and the switch for local passwords.

* ``backends``: Django's ModelBackend, refusing non-superusers' passwords when
  ``OCRSPACE_LOCAL_LOGIN=0`` (the break-glass superuser keeps working).
* ``oidc``: allauth's OpenID Connect provider with a nonce bound to the
  sign-in, and the adapters that refuse unverified addresses, show a clear
  message for every refusal and write it into the audit log.
* ``groups``: a group claim or the directory's groups → team memberships and
  roles (``OCRSPACE_OIDC_<ID>_TEAM_MAP``, ``OCRSPACE_LDAP_TEAM_MAP``), applied
  at every sign-in.
* ``providers``: the configured providers for the login page.

The login page, the lockout, two-factor sign-in and the sign-in audit are the
same for every way in: a signed-in OIDC or LDAP user with an authenticator
app still enters its code (``teams.web.middleware``).
"""
