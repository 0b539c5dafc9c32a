"""Services: plain functions over a SQLAlchemy session (surveys, users, invitations); they import no blueprint."""
