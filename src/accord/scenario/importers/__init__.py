"""Importers of other tools' files (KTAB, decide, DEU, BDM) into scenarios."""
