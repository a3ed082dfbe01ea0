"""Publishing a built release beyond one server: a triple store, a static site, replicas."""
