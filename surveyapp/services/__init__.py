"""Services: plain functions over a SQLAlchemy session that the blueprints, the CLI, the demo and mail call.

No module here imports a blueprint, a view or mail: surveys.py (import, versions, open/close),
invitations.py (creating invitations, their timeline, revoking), links.py (every respondent-facing
URL), users.py and passwords.py (accounts).
"""
