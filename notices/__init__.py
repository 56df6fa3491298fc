"""What people outside Teams read: mails, worded from domain values (as cards/ are for Teams)."""
