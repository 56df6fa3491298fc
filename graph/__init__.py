"""Microsoft Graph behind the ports of services/graph_ports.py.

msgraph-sdk is imported only by the modules here that need it (client, mail, people, apps),
and those only when Graph is configured: it is large and slow to import.
"""
