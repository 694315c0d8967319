"""Scenarios: the schema, reading and writing files, importers, validation and derivation."""
