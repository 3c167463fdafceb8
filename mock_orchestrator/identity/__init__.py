"""The emulated identity servers: legacy Auth0 (account.uipath.com), identity_ and on-prem."""
