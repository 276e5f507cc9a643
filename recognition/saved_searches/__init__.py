"""Saved searches: a filter (``recognition.filters``) kept under a name, a
user's own or shared with the team by an admin."""
