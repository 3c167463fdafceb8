"""Machinery shared by every emulated service: clock, ids, routing, errors, journal, faults."""
