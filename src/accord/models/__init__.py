"""The models: one module or package per bargaining model, and their registry."""
