"""Small, honest stand-ins for outside services (the Bot Connector, Entra credentials)."""
