"""Wording built from domain values outside Adaptive Cards' layout: the account team's
mail, and sentences shared by cards and the chat."""
