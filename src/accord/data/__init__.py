"""Reference data that several layers read (EU Council votes and populations).

Plain tables and lookups with their sources, no I/O and no dependency on the rest of accord.
"""
