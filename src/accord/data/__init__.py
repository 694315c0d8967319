"""Reference data that several layers read (EU Council votes and populations).

Reference data that several layers read (EU Council votes and populations): plain tables
and lookups with their sources, no I/O and no dependency on the rest of accord.
"""
