"""mwg-graph: the knowledge graph and linked-data publisher of the Migrant Working Group."""

__version__ = "0.1.0"
