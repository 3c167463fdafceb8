"""The Orchestrator's HTTP handlers, one module per resource.

Each handler takes the :class:`~..responses.Call` the prelude built (tenant backend, token,
folder) and only parses, calls one backend method and serializes. Which scopes and folder a
route needs is said once, in the route table (``urls.py``).
"""
