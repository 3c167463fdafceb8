"""The conformance suite as pytest tests: ``pytest --pyargs conformance --uipath-client=...``.

Each module lists its rule IDs in ``RULES``; the plugin generates one test per rule and profile.
"""
