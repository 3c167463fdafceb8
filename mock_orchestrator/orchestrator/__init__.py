"""The emulated Orchestrator: OData and api/ routes of one tenant, behind real auth."""
