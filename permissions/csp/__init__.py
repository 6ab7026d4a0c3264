"""The browser's side of the portal's Content-Security-Policy: the endpoint that
receives the reports of what the policy blocked.

The policy itself is django-csp's (CONTENT_SECURITY_POLICY in the settings), the
Permissions-Policy header django-permissions-policy's (PERMISSIONS_POLICY).
"""
