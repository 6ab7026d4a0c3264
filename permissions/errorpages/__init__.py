"""The portal's own error pages: the CSRF failure page rendered in the layout, and the
portal's page for the bare 405 that method-restricted views answer with."""
