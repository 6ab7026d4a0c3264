"""Public verification: a page without sign-in that says whether a letter stands."""
