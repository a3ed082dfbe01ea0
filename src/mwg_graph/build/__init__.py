"""Build time: load ontology/ and data/, validate with SHACL, describe, write a release to dist/."""
