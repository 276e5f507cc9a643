"""Signals other apps listen to."""
from django.dispatch import Signal

# Sent after commit when a user leaves or is removed from a team (kwargs:
# team, user): the live feed closes that user's sockets for the team.
member_removed = Signal()
