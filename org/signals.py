"""What org tells the apps above it, without importing them."""

from django.dispatch import Signal

# A person changed their own password (the audit trail records it): sender is the view's
# class; arguments: request, user.
password_changed = Signal()
