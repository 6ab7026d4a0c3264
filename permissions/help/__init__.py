"""Help: what the Conduct Rules ask and how the portal serves each role, and whom to ask.

The general page and the contact page are public, so that someone who cannot sign in
can still find out whom to ask; the guides for servants, officers and auditors are for
everyone signed in, each person's own first."""
