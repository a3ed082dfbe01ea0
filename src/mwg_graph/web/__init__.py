"""Serve time: the Flask application, its protections, pages and documents, and the server."""
