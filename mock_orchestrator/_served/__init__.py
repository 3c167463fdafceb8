"""Internals of the served mode (``mock_orchestrator.served`` is the public face).

* ``app.py``      -- the ASGI app: CORS, drop/stall faults, everything else to ``cloud.handle``
* ``control.py``  -- the ``/_mock/`` control plane (health, defaults, clock, journal, faults)
* ``server.py``   -- uvicorn on a socket we bind ourselves, in a thread with its own loop
"""
